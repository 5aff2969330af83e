/**
 * One region of a fleet seen as a single Platform: every host of the region runs the full instance
 * count of each revision (a container per host), so a rollout driven against a RegionPlatform moves
 * all of the region's hosts together. A region's rollout is recorded under its scope `<env>@<region>`;
 * the hosts only ever see `<env>`. Instance counts in status are per host (what `scale` sets on
 * each), the instances listed are every host's; traffic metrics are summed over the hosts.
 * Whatever a host throws comes back naming the host.
 */
import type { FlagSnapshot } from '../../flags/flag-engine.js';
import {
  type FlagPublisher,
  type FlagServing,
  isFlagPublisher,
  type PublishedFlags,
} from '../../platform/flag-publisher.js';
import type {
  DependencyReport,
  EndpointSpec,
  HealthReport,
  InstanceStatus,
  Platform,
  ReadyResult,
  Revision,
  RevisionInput,
  RevisionStatus,
  ServiceRef,
  ServiceStatus,
  StoredRevision,
  TrafficSpec,
} from '../../platform/platform.js';
import { HostsFlagPublisher } from '../../platform/remote/hosts-flag-publisher.js';
import type {
  LatencyHistogram,
  RevisionMetrics,
  RouterMetricsSnapshot,
} from '../../platform/traffic-metrics.js';
import { FleetError, hostFailed } from './fleet-errors.js';

/** One host of a region and the platform that reaches it. */
export interface RegionHost {
  readonly name: string;
  readonly platform: Platform;
}

/** The environment name a region's rollout is recorded and driven under: `<env>@<region>`. */
export function regionScope(env: string, region: string): string {
  return `${env}@${region}`;
}

/** The environment and region of a scope; a plain environment name has no region. */
export function parseScope(scope: string): { readonly env: string; readonly region?: string } {
  const at = scope.indexOf('@');
  return at < 0 ? { env: scope } : { env: scope.slice(0, at), region: scope.slice(at + 1) };
}

/** The hosts of one region behind the Platform contract; flags go to every host's agent. */
export class RegionPlatform implements Platform, FlagPublisher {
  constructor(
    readonly region: string,
    private readonly hosts: readonly RegionHost[],
  ) {
    if (hosts.length === 0) throw new FleetError('NO_HOSTS', `region ${region} has no hosts`);
  }

  /** Made on every host before anything else happens, so an unreachable host fails before any host changes. */
  async createRevision(input: RevisionInput): Promise<Revision> {
    const revisions = await this.#all((platform) => platform.createRevision(input));
    const first = revisions[0] as Revision;
    const other = revisions.findIndex((r) => r.id !== first.id);
    if (other >= 0) {
      throw new FleetError(
        'REVISION_MISMATCH',
        `host ${this.#name(other)} made revision ${revisions[other]?.id} of ${input.service.id} where host ${this.#name(0)} made ${first.id}`,
        { host: this.#name(other) },
      );
    }
    return first;
  }

  /** The revision when every host has it (a revision one host lacks cannot be scaled there). */
  async findRevision(service: string, id: string): Promise<StoredRevision | undefined> {
    const found = await this.#all((platform) => platform.findRevision(service, id));
    return found.every((r) => r !== undefined) ? found[0] : undefined;
  }

  async pinRevision(service: string, id: string, reason: string): Promise<void> {
    await this.#all((platform) => platform.pinRevision(service, id, reason));
  }

  async ensureService(ref: ServiceRef, endpoint: EndpointSpec): Promise<ServiceStatus> {
    const statuses = await this.#all((platform) => platform.ensureService(hostRef(ref), endpoint));
    return this.#merge(ref, statuses) as ServiceStatus;
  }

  async scale(ref: ServiceRef, revision: string, instances: number): Promise<void> {
    await this.#all((platform) => platform.scale(hostRef(ref), revision, instances));
  }

  async setTraffic(ref: ServiceRef, traffic: TrafficSpec): Promise<void> {
    await this.#all((platform) => platform.setTraffic(hostRef(ref), traffic));
  }

  /**
   * Ready when every host has `count` ready (`ready` is the least of the hosts'); the first host
   * to fail or time out decides, naming itself.
   */
  waitReady(ref: ServiceRef, revision: string, count: number, timeoutMs: number): Promise<ReadyResult> {
    return new Promise<ReadyResult>((resolve, reject) => {
      let pending = this.hosts.length;
      let ready = Number.POSITIVE_INFINITY;
      for (const host of this.hosts) {
        host.platform.waitReady(hostRef(ref), revision, count, timeoutMs).then(
          (result) => {
            ready = Math.min(ready, result.ready);
            if (result.status !== 'ready') {
              resolve({
                status: result.status,
                ready: result.ready,
                message: `host ${host.name}: ${result.message}`,
              });
            } else if (--pending === 0) resolve({ status: 'ready', ready });
          },
          (error: unknown) => reject(hostFailed(host.name, error)),
        );
      }
    });
  }

  async status(ref: ServiceRef): Promise<ServiceStatus | undefined> {
    return this.#merge(ref, await this.#all((platform) => platform.status(hostRef(ref))));
  }

  /** Every service any host runs, each merged over the hosts and named by its scope in this region. */
  async list(): Promise<readonly ServiceStatus[]> {
    const lists = await this.#all((platform) => platform.list());
    const keys = new Map<string, ServiceRef>();
    for (const list of lists)
      for (const s of list) keys.set(`${s.service}\u0000${s.env}`, { service: s.service, env: s.env });
    return [...keys.values()].map((ref) => {
      const perHost = lists.map((list) => list.find((s) => s.service === ref.service && s.env === ref.env));
      const scoped = { service: ref.service, env: regionScope(ref.env, this.region) };
      return this.#merge(scoped, perHost) as ServiceStatus;
    });
  }

  /** Serves the flag set from every host of the region that can serve flags. */
  publishFlags(snapshot: FlagSnapshot, serving: FlagServing): Promise<readonly PublishedFlags[]> {
    const hosts = this.hosts.flatMap((h) =>
      isFlagPublisher(h.platform) ? [{ name: h.name, publisher: h.platform }] : [],
    );
    return new HostsFlagPublisher(hosts).publishFlags(snapshot, serving);
  }

  /** Counters summed per revision (and per flag variant) over the hosts: the region's own traffic. */
  async metrics(ref: ServiceRef): Promise<RouterMetricsSnapshot> {
    const snapshots = await this.#all((platform) => platform.metrics(hostRef(ref)));
    return sumSnapshots(snapshots);
  }

  async health(ref: ServiceRef): Promise<HealthReport> {
    const reports = await this.#all((platform) => platform.health(hostRef(ref)));
    const instances: HealthReport['instances'][number][] = [];
    const dependencies: DependencyReport[] = [];
    reports.forEach((report, i) => {
      const host = this.#name(i);
      for (const instance of report.instances) instances.push({ ...instance, id: `${host}/${instance.id}` });
      for (const dep of report.dependencies) dependencies.push({ ...dep, name: `${host}/${dep.name}` });
    });
    return {
      service: ref.service,
      env: ref.env,
      healthy: reports.every((r) => r.healthy),
      instances,
      dependencies,
    };
  }

  async remove(ref: ServiceRef): Promise<void> {
    await this.#all((platform) => platform.remove(hostRef(ref)));
  }

  /**
   * `call` on every host at once; waits for all of them (so none is left half-done behind the
   * caller's back), then throws the first host's error in host order, naming the host.
   */
  async #all<T>(call: (platform: Platform) => Promise<T>): Promise<T[]> {
    const settled = await Promise.allSettled(this.hosts.map((host) => call(host.platform)));
    const values: T[] = [];
    for (const [i, result] of settled.entries()) {
      if (result.status === 'rejected') throw hostFailed(this.#name(i), result.reason);
      values.push(result.value);
    }
    return values;
  }

  #name(index: number): string {
    return this.hosts[index]?.name ?? `#${index}`;
  }

  /** The hosts' statuses as one (undefined when no host has the service). */
  #merge(ref: ServiceRef, perHost: readonly (ServiceStatus | undefined)[]): ServiceStatus | undefined {
    const present = perHost
      .map((status, i) => ({ status, host: this.#name(i) }))
      .filter((s): s is { status: ServiceStatus; host: string } => s.status !== undefined);
    if (present.length === 0) return undefined;
    const revisions = new Map<string, RevisionStatus>();
    const instances: InstanceStatus[] = [];
    for (const { status, host } of present) {
      // The hosts get the same traffic updates, so weights and roles agree: the first host's stand.
      for (const r of status.revisions) if (!revisions.has(r.id)) revisions.set(r.id, r);
      for (const instance of status.instances) instances.push({ ...instance, id: `${host}/${instance.id}` });
    }
    // Counts are per host, as `scale` and `waitReady` take them: the region has what its hosts all
    // have (the least of them, a host without the revision counting 0), so that a controller
    // comparing them with a step's counts scales up a lagging host and never scales past a step.
    for (const [id, r] of revisions) {
      const counts = present.map(({ status }) => status.revisions.find((x) => x.id === id));
      const least = (pick: (x: RevisionStatus) => number) =>
        Math.min(...counts.map((x) => (x ? pick(x) : 0)));
      revisions.set(id, { ...r, desired: least((x) => x.desired), ready: least((x) => x.ready) });
    }
    const failing = present.find((s) => s.status.error !== undefined);
    const url = present[0]?.status.url;
    return {
      service: ref.service,
      env: ref.env,
      ...(url === undefined ? {} : { url }),
      ...(failing ? { error: `host ${failing.host}: ${failing.status.error}` } : {}),
      sticky: present.some((s) => s.status.sticky),
      revisions: [...revisions.values()],
      instances,
    };
  }
}

/** What a host is asked about: the environment without the region. */
function hostRef(ref: ServiceRef): ServiceRef {
  return { service: ref.service, env: parseScope(ref.env).env };
}

/** Per-revision counters added up over snapshots; taken at the latest of their times. */
export function sumSnapshots(snapshots: readonly RouterMetricsSnapshot[]): RouterMetricsSnapshot {
  const revisions = new Map<string, RevisionMetrics>();
  const variants = new Map<string, RevisionMetrics>();
  let at = 0;
  for (const snapshot of snapshots) {
    at = Math.max(at, snapshot.at);
    addInto(revisions, snapshot.revisions);
    if (snapshot.variants) addInto(variants, snapshot.variants);
  }
  // fromEntries defines own properties, so a revision id such as `__proto__` stays plain data.
  return {
    at,
    revisions: Object.fromEntries(revisions),
    ...(variants.size > 0 ? { variants: Object.fromEntries(variants) } : {}),
  };
}

function addInto(sums: Map<string, RevisionMetrics>, counters: Record<string, RevisionMetrics>): void {
  for (const [id, m] of Object.entries(counters)) {
    const seen = sums.get(id);
    sums.set(
      id,
      seen
        ? {
            requests: seen.requests + m.requests,
            status5xx: seen.status5xx + m.status5xx,
            connectionErrors: seen.connectionErrors + m.connectionErrors,
            latency: addHistograms(seen.latency, m.latency),
          }
        : { ...m, latency: addHistograms(m.latency) },
    );
  }
}

/** Bucket-by-bucket sum (every router shares the same bounds); one histogram gives a copy. */
function addHistograms(a: LatencyHistogram, b?: LatencyHistogram): LatencyHistogram {
  return {
    bounds: a.bounds,
    counts: a.counts.map((n, i) => n + (b?.counts[i] ?? 0)),
    sumMs: a.sumMs + (b?.sumMs ?? 0),
    count: a.count + (b?.count ?? 0),
  };
}
