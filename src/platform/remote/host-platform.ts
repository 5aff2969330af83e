/**
 * The Platform contract on one host reached over SSH. Revisions are built here and shipped to the
 * host (remote-revisions.ts); everything else is the host agent's control API (the requests the
 * local platform sends), reached through a local socket forwarded over the transport's one
 * connection. URLs are rewritten to the host's address; errors name the host. The host's agent
 * also serves flags over OFREP to the host's applications (its URL stays the one they reach it at).
 */
import type { ResolvedHost } from '../../config/resolved.js';
import { SlipwayError } from '../../errors/slipway-error.js';
import type { FlagSnapshot } from '../../flags/flag-engine.js';
import { PlatformError } from '../errors.js';
import type { FlagPublisher, FlagServing, PublishedFlags } from '../flag-publisher.js';
import { AgentApi } from '../local/agent-api.js';
import { AgentClient } from '../local/agent-client.js';
import { createRevision, pruneRevisions, revisionDir } from '../local/revisions.js';
import type {
  EndpointSpec,
  HealthReport,
  Platform,
  ReadyResult,
  Revision,
  RevisionInput,
  ServiceRef,
  ServiceStatus,
  StoredRevision,
  TrafficSpec,
} from '../platform.js';
import { buildRevisionManifest, manifestText, type RevisionManifest } from '../ssh/revision-manifest.js';
import { type ShipResult, shipRevision } from '../ssh/ship-revision.js';
import { describeTarget } from '../ssh/ssh-target.js';
import type { SshTransport } from '../ssh/ssh-transport.js';
import type { RouterMetricsSnapshot } from '../traffic-metrics.js';
import { ensureRemoteAgent, type RemoteAgent, type RemoteAgentOptions } from './remote-agent.js';
import { RemoteRevisions } from './remote-revisions.js';

/** One host's platform. */
export interface HostPlatformOptions {
  readonly host: ResolvedHost;
  /** The host's transport; `close()` closes it. */
  readonly transport: SshTransport;
  /** Where revisions are built before they are shipped (the project's `.slipway`). */
  readonly localStateDir: string;
  readonly agent?: RemoteAgentOptions;
  /** Called with every shipment of a revision (not for a revision the host already has). */
  readonly onShip?: (result: ShipResult) => void;
}

/** The connection to the host's agent, made once. */
interface Connected {
  readonly agent: RemoteAgent;
  readonly api: AgentApi;
  readonly revisions: RemoteRevisions;
}

/** Services as processes on one remote host, behind that host's agent. */
export class HostPlatform implements Platform, FlagPublisher {
  readonly host: ResolvedHost;
  readonly transport: SshTransport;
  #connected: Promise<Connected> | undefined;
  /** Revisions placed on the host by this platform (or being placed), by service and id. */
  readonly #placed = new Map<string, Promise<Revision>>();

  constructor(private readonly options: HostPlatformOptions) {
    this.host = options.host;
    this.transport = options.transport;
  }

  /** Starts the host's agent when needed (see ensureRemoteAgent) and connects to it. */
  async connect(): Promise<RemoteAgent> {
    return (await this.#connect()).agent;
  }

  /** Ends the connection (and its forwarded socket); the host's agent and services keep running. */
  async close(): Promise<void> {
    await this.transport.close();
  }

  #connect(): Promise<Connected> {
    this.#connected ??= (async () => {
      const agent = await ensureRemoteAgent(this.transport, this.host, this.options.agent);
      const client = new AgentClient(agent.stateDir, undefined, undefined, {
        socket: agent.socket,
        label: `the agent on ${describeTarget(this.transport.target)}`,
      });
      return { agent, api: new AgentApi(client), revisions: new RemoteRevisions(client) };
    })();
    const connecting = this.#connected;
    connecting.catch(() => {
      if (this.#connected === connecting) this.#connected = undefined;
    });
    return connecting;
  }

  /**
   * Builds the revision here, ships it unless the host has it, and keeps the newest revisions there.
   * A revision this platform already placed on the host is not asked about again, and calls for
   * the same revision at once share one placing (a failed one is tried again by the next caller).
   */
  async createRevision(input: RevisionInput): Promise<Revision> {
    if (input.service.secrets)
      throw new PlatformError(
        'SECRETS_UNSUPPORTED',
        `service ${input.service.id} has secrets: they are delivered to this host's agent only, not to remote hosts`,
      );
    const { config: _config, ...revision } = createRevision(
      this.options.localStateDir,
      input.service,
      input.baseDir,
    );
    const key = placedKey(revision.service, revision.id);
    const known = this.#placed.get(key);
    if (known) {
      try {
        return await known;
      } catch {
        // Placing it for an earlier caller failed: this caller tries again (or joins whoever does).
        const again = this.#placed.get(key);
        if (again && again !== known) return again;
      }
    }
    const placing = this.#place(revision);
    this.#placed.set(key, placing);
    placing.catch(() => {
      if (this.#placed.get(key) === placing) this.#placed.delete(key);
    });
    return placing;
  }

  /**
   * Makes sure the host has `revision`: the blobs it lacks shipped (nothing is run there for a
   * revision whose blobs it has) while what it serves is asked, then, in one request to its agent,
   * found there or its tree built and verified, pointed at, and the old ones pruned. A manifest too
   * large for one request has its tree built by the install script instead.
   */
  async #place(revision: Revision): Promise<Revision> {
    const dir = revisionDir(this.options.localStateDir, revision.service, revision.id);
    // Hashed while the connection is made.
    const manifest = manifestOf(dir);
    manifest.catch(() => undefined);
    const { agent } = await this.#connect();
    let text: string | undefined;
    const ship = async () => {
      const built = await manifest;
      const canonical = manifestText(built.files);
      text = Buffer.byteLength(canonical) <= AGENT_MANIFEST_BYTES ? canonical : undefined;
      return shipRevision(this.transport, { dir, manifest: built }, agent.dir, {
        blobsOnly: text !== undefined,
      });
    };
    // Both are waited for, so a failure of one leaves nothing of the other running.
    const [shipped, listed] = await Promise.allSettled([this.#named(ship()), this.list()]);
    if (shipped.status === 'rejected') {
      // A file found changed while shipped is hashed again by the next try.
      manifests.delete(dir);
      throw shipped.reason;
    }
    if (listed.status === 'rejected') throw listed.reason;
    const shipment = shipped.value;
    const inUse = new Set([revision.id]);
    for (const status of listed.value) {
      if (status.service === revision.service) for (const r of status.revisions) inUse.add(r.id);
    }
    const placed = await this.#api((_api, revisions) =>
      revisions.place(revision.service, revision.id, shipment.digest, inUse, text),
    );
    if ('found' in placed) {
      const { pinned: _pinned, ...stored } = placed.found;
      return stored;
    }
    this.options.onShip?.(shipment);
    for (const id of placed.removed) this.#placed.delete(placedKey(revision.service, id));
    pruneRevisions(this.options.localStateDir, revision.service, inUse);
    return revision;
  }

  async findRevision(service: string, id: string): Promise<StoredRevision | undefined> {
    if (!isPathSafe(service) || !REVISION_ID.test(id)) return undefined;
    return this.#api((_api, revisions) => revisions.find(service, id));
  }

  async pinRevision(service: string, id: string, reason: string): Promise<void> {
    if (
      !isPathSafe(service) ||
      !REVISION_ID.test(id) ||
      !(await this.#api((_api, revisions) => revisions.pin(service, id, reason)))
    )
      throw new PlatformError(
        'REVISION_NOT_FOUND',
        `service ${service} has no revision ${id} on host ${this.host.name}`,
      );
  }

  async ensureService(ref: ServiceRef, endpoint: EndpointSpec): Promise<ServiceStatus> {
    return this.#rewrite(await this.#api((api) => api.ensureService(ref, endpoint)));
  }

  scale(ref: ServiceRef, revision: string, instances: number): Promise<void> {
    return this.#api((api) => api.scale(ref, revision, instances));
  }

  setTraffic(ref: ServiceRef, traffic: TrafficSpec): Promise<void> {
    return this.#api((api) => api.setTraffic(ref, traffic));
  }

  waitReady(ref: ServiceRef, revision: string, count: number, timeoutMs: number): Promise<ReadyResult> {
    return this.#api((api) => api.waitReady(ref, revision, count, timeoutMs));
  }

  async status(ref: ServiceRef): Promise<ServiceStatus | undefined> {
    return (await this.list()).find((s) => s.service === ref.service && s.env === ref.env);
  }

  async list(): Promise<readonly ServiceStatus[]> {
    return (await this.#api((api) => api.list())).map((status) => this.#rewrite(status));
  }

  metrics(ref: ServiceRef): Promise<RouterMetricsSnapshot> {
    return this.#api((api) => api.metrics(ref));
  }

  health(ref: ServiceRef): Promise<HealthReport> {
    return this.#api((api) => api.health(ref));
  }

  remove(ref: ServiceRef): Promise<void> {
    return this.#api((api) => api.remove(ref));
  }

  /** Makes the host's agent serve `snapshot` over OFREP on the host; an error names the host. */
  async publishFlags(snapshot: FlagSnapshot, serving: FlagServing): Promise<readonly PublishedFlags[]> {
    const served = await this.#named(this.#api((api) => api.publishFlags(snapshot, serving)));
    return [{ host: this.host.name, version: served.version, url: served.url }];
  }

  /**
   * One control API call. An agent that does not answer is looked into over SSH: a lost connection
   * is reported as the SSH error naming the host; else the agent is ensured again and asked once more.
   */
  async #api<T>(work: (api: AgentApi, revisions: RemoteRevisions) => Promise<T>): Promise<T> {
    const { api, revisions } = await this.#connect();
    await this.#named(this.transport.keepForwards());
    try {
      return await this.#named(work(api, revisions));
    } catch (error) {
      if (!(error instanceof PlatformError && error.code === 'AGENT_UNAVAILABLE')) throw error;
      await this.transport.run('true', { timeoutMs: 30_000 });
      this.#connected = undefined;
      const again = await this.#connect();
      return this.#named(work(again.api, again.revisions));
    }
  }

  /** Rejections that do not name the host are given its name. */
  async #named<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      throw nameHost(error, this.host.name);
    }
  }

  /** The agent reports its ports on the address it binds; users reach them at the host's address. */
  #rewrite(status: ServiceStatus): ServiceStatus {
    if (status.url === undefined) return status;
    const port = new URL(status.url).port;
    const address = this.host.address.host.includes(':')
      ? `[${this.host.address.host}]`
      : this.host.address.host;
    return { ...status, url: `http://${address}${port === '' ? '' : `:${port}`}` };
  }
}

/** The largest manifest text sent to the agent to build a tree from (its request limit is 1 MiB). */
const AGENT_MANIFEST_BYTES = 512 * 1024;

/** Manifests of the revision folders shipped lately, by folder: every host of a deploy ships the same one. */
const manifests = new Map<string, Promise<RevisionManifest>>();
const KEPT_MANIFESTS = 32;

/**
 * The ship manifest of a local revision folder, hashed once for all hosts. A revision folder is
 * never written to once made (its id is its content's digest); a file changed anyway is still
 * caught while it is shipped.
 */
function manifestOf(dir: string): Promise<RevisionManifest> {
  const known = manifests.get(dir);
  if (known) return known;
  const building = buildRevisionManifest(dir);
  manifests.set(dir, building);
  building.catch(() => manifests.delete(dir));
  for (const old of manifests.keys()) {
    if (manifests.size <= KEPT_MANIFESTS) break;
    manifests.delete(old);
  }
  return building;
}

/** The key of a revision of a service among those placed. */
function placedKey(service: string, id: string): string {
  return `${service}\u0000${id}`;
}

/** The shape of every revision id; anything else could name a path outside the revisions folder. */
const REVISION_ID = /^r-[0-9a-f]{12}$/;

/** A service name that stays one folder level under the revisions folder. */
function isPathSafe(service: string): boolean {
  return service !== '' && service !== '.' && service !== '..' && !/[/\\\0]/.test(service);
}

/** An error whose message names `host` (a platform error keeps its code; others are left as they are). */
function nameHost(error: unknown, host: string): unknown {
  if (!(error instanceof Error) || error.message.includes(host)) return error;
  if (error instanceof PlatformError)
    return new PlatformError(error.code, `${error.message} (host ${host})`, { cause: error });
  if (error instanceof SlipwayError) return error;
  return new Error(`host ${host}: ${error.message}`, { cause: error });
}
