// A year of delivery history for bench:metrics, the same from the same seed: pipeline runs with
// their jobs (the bulk of the log), releases rolled out into staging and then production (fleet
// services into production@eu-west and production@us-east, wave by wave; see rollout-history.ts),
// by the pipeline's deploy environments behind an approval, by gitops or by hand; incidents
// opened and resolved; releases; the server's audit trail. Events come out in time order, in
// batches, numbered as the log will number them (event-timeline.ts).
import type { DeployedChange, DeployRecord } from '../../src/store/delivery-records.js';
import type { NewEvent } from '../../src/store/store.js';
import { DAY, EventTimeline, HOUR, MINUTE, SECOND } from './event-timeline.js';
import {
  type Driver,
  type HistoryService,
  PEOPLE,
  type RolloutEnd,
  RolloutHistory,
  STRATEGIES,
  scopeOf,
} from './rollout-history.js';
import { SeededRandom } from './seeded-random.js';

/** What to generate. */
export interface HistoryOptions {
  /** The end of the history (epoch ms); nothing is dated after it. */
  readonly now: number;
  readonly days: number;
  readonly services: number;
  readonly seed: number;
}

/** What the generator wrote, to check the figures against. */
export interface HistoryCounts {
  events: number;
  /** Events carrying a deploy record (service.deployed/upgraded, automatic service.rolledback, rollout.aborted). */
  deploys: number;
  /** Production deploy records (regions included) in [from, to), and the completed ones among them. */
  readonly window: { readonly from: number; readonly to: number; deploys: number; completed: number };
  incidents: number;
  manualRollbacks: number;
  pipelineRuns: number;
}

const SERVICE_NAMES = [
  'accounts api-gateway audit-log auth billing cart catalog checkout coupons customer-support email ',
  'feature-flags files fraud fulfilment geo identity images inventory invoices ledger loyalty maps ',
  'media messaging metrics-ingest notifications onboarding orders partners payments payouts pricing ',
  'profiles push quotes ratings recommendations refunds reports returns reviews scheduler search ',
  'sessions shipping subscriptions tax webhooks wishlist',
]
  .join('')
  .split(' ');
const CI_JOBS: readonly { key: string; stage: string }[] = [
  { key: 'lint', stage: 'check' },
  { key: 'typecheck', stage: 'check' },
  { key: 'test[node=20]', stage: 'test' },
  { key: 'test[node=22]', stage: 'test' },
  { key: 'test/integration', stage: 'test' },
  { key: 'build/compile', stage: 'build' },
  { key: 'build/image', stage: 'build' },
  { key: 'scan', stage: 'build' },
];
const REGIONS = ['eu-west', 'us-east'];
const API_ROUTES = [
  ['GET', '/api/v1/runs'],
  ['GET', '/api/v1/runs/:id'],
  ['GET', '/api/v1/rollouts'],
  ['GET', '/api/v1/metrics/delivery'],
  ['POST', '/api/v1/runs'],
  ['POST', '/api/v1/approvals/:run/:environment'],
  ['POST', '/api/v1/hooks/github'],
] as const;
const INCIDENTS = ['error rate above 5%', 'p99 latency above 2s', 'pods crash-looping', 'queue backlog'];

/** A deploy environment of a pipeline run, run when its jobs are done. */
type DeployStep = (runId: number, at: number) => RolloutEnd;

/** Generates the history in time order, a day at a time. */
export class DeliveryHistory {
  readonly counts: HistoryCounts;
  readonly #o: HistoryOptions;
  readonly #random: SeededRandom;
  readonly #timeline: EventTimeline;
  readonly #rollouts: RolloutHistory;
  readonly #services: HistoryService[];
  #runId = 0;

  constructor(options: HistoryOptions, window: { readonly from: number; readonly to: number }) {
    this.#o = options;
    this.#random = new SeededRandom(options.seed);
    this.counts = {
      events: 0,
      deploys: 0,
      window: { ...window, deploys: 0, completed: 0 },
      incidents: 0,
      manualRollbacks: 0,
      pipelineRuns: 0,
    };
    this.#timeline = new EventTimeline(options.now, (event) => this.#count(event));
    this.#rollouts = new RolloutHistory(this.#random, this.#timeline);
    const start = options.now - options.days * DAY;
    this.#services = Array.from({ length: options.services }, (_, i) => {
      const name = SERVICE_NAMES[i % SERVICE_NAMES.length]! + (i >= SERVICE_NAMES.length ? `-${i}` : '');
      const driver: Driver = i % 4 === 1 ? 'gitops' : i % 7 === 2 ? 'cli' : 'pipeline';
      return {
        name,
        driver,
        strategy: STRATEGIES[i % STRATEGIES.length]!,
        regions: i % 10 === 3 ? REGIONS : null,
        // Busy services release a few times a day, quiet ones a few times a month.
        releaseRate: 0.23 + 1.68 * this.#random.next() ** 1.5,
        runRate: 2.2 + 2.6 * this.#random.next(),
        scopes: new Map(),
        lastCommit: start,
      };
    });
  }

  /** Every batch of events, a day's worth each, in time (and id) order. */
  *batches(): Generator<NewEvent[]> {
    const start = this.#o.now - this.#o.days * DAY;
    for (let day = start; day < this.#o.now; day += DAY) {
      this.#day(day);
      // Nothing generated from the next day on can come before its start.
      const batch = this.#timeline.flush(day + DAY);
      if (batch.length > 0) yield batch;
    }
    const rest = this.#timeline.flush(Number.POSITIVE_INFINITY);
    if (rest.length > 0) yield rest;
    this.counts.manualRollbacks = this.#rollouts.manualRollbacks;
  }

  #count(event: NewEvent & { readonly time: number }): void {
    this.counts.events++;
    const deploy = event.data?.deploy as DeployRecord | undefined;
    if (deploy === undefined) return;
    this.counts.deploys++;
    const w = this.counts.window;
    if (event.environment?.split('@')[0] === 'production' && event.time >= w.from && event.time < w.to) {
      w.deploys++;
      if (deploy.result === 'completed') w.completed++;
    }
  }

  #day(day: number): void {
    const random = this.#random;
    const weekday = new Date(day).getUTCDay() % 6 !== 0;
    const pace = weekday ? 1 : 0.15;
    for (const service of this.#services) {
      const releases = Array.from({ length: random.poisson(service.releaseRate * pace) }, () =>
        random.workTime(day),
      ).sort((a, b) => a - b);
      for (const at of releases) this.#release(service, at);
      const runs = random.poisson(service.runRate * pace);
      for (let i = 0; i < runs; i++) {
        const at = random.workTime(day);
        const sha = random.hex(40);
        this.#pipelineRun(service, at, sha, random.chance(0.7) ? `feature/${random.hex(6)}` : 'main', []);
      }
      if (random.chance(0.07 * pace)) this.#incident(service, random.workTime(day));
      if (weekday && random.chance(0.04)) this.#releasePublished(service, random.workTime(day));
    }
    const requests = random.poisson(weekday ? 150 : 20);
    for (let i = 0; i < requests; i++) this.#auditRecord(random.workTime(day));
  }

  /** One mutating or reading API request, as the server's audit trail records it. */
  #auditRecord(at: number): void {
    const random = this.#random;
    const [method, route] = random.pick(API_ROUTES);
    const token = random.pick(['ci', 'dashboard', 'deploy-bot', 'grafana', ...PEOPLE]);
    this.#timeline.emit(at, {
      type: 'audit.recorded',
      actor: token,
      subject: `${method} ${route}`,
      data: {
        method,
        path: route.replace(':id', `${random.int(1, 90_000)}`).replace(':run', `${random.int(1, 90_000)}`),
        token,
        role: method === 'GET' ? 'viewer' : 'deployer',
        remoteAddress: `10.0.${random.int(0, 20)}.${random.int(1, 254)}`,
        status: random.chance(0.97) ? (method === 'GET' ? 200 : 202) : random.pick([400, 401, 404, 409]),
      },
    });
  }

  #releasePublished(service: HistoryService, at: number): void {
    const random = this.#random;
    const tag = `${service.name}@${random.int(1, 9)}.${random.int(0, 40)}.${random.int(0, 20)}`;
    this.#timeline.emit(at, {
      type: 'release.published',
      actor: random.pick(PEOPLE),
      service: service.name,
      subject: tag,
      commitSha: random.hex(40),
      data: { tag, version: tag.split('@')[1], assets: random.int(0, 4) },
    });
  }

  /**
   * A pipeline run of `sha`: queued, started, its jobs stage by stage, then `deploys` (its deploy
   * environments, each returning when it ends), then finished. Returns its end.
   */
  #pipelineRun(
    service: HistoryService,
    at: number,
    sha: string,
    branch: string,
    deploys: readonly DeployStep[],
  ): number {
    const random = this.#random;
    const timeline = this.#timeline;
    const runId = ++this.#runId;
    this.counts.pipelineRuns++;
    const jobs = CI_JOBS.filter((_, i) => i < 3 || random.chance(0.5));
    const base = { actor: branch === 'main' ? 'ci' : random.pick(PEOPLE), runId, commitSha: sha } as const;
    const pipeline = service.name;
    timeline.emit(at, { ...base, type: 'pipelinerun.queued', data: { pipeline, branch, jobs: jobs.length } });
    const started = at + random.between(200, 20 * SECOND);
    timeline.emit(started, {
      ...base,
      type: 'pipelinerun.started',
      data: { pipeline, branch, resumed: false },
    });
    let t = started;
    let status = 'success';
    const cancelled = random.chance(0.02);
    for (const stage of ['check', 'test', 'build']) {
      let stageEnd = t;
      for (const job of jobs.filter((j) => j.stage === stage)) {
        const jobStart = t + random.between(50, 2 * SECOND);
        const durationMs = Math.round(random.logNormal(stage === 'test' ? 3 * MINUTE : MINUTE, 0.6));
        const failed = random.chance(0.03);
        if (failed) status = 'failure';
        const subject = job.key;
        timeline.emit(jobStart, { ...base, type: 'taskrun.started', subject, data: { stage } });
        timeline.emit(jobStart + durationMs, {
          ...base,
          type: 'taskrun.finished',
          subject,
          data: {
            status: failed ? 'failure' : 'success',
            attempts: 1,
            exitCode: failed ? 1 : 0,
            durationMs,
            stage,
          },
        });
        stageEnd = Math.max(stageEnd, jobStart + durationMs);
      }
      t = stageEnd;
      if (status !== 'success') break;
    }
    if (status === 'success' && !cancelled)
      for (const deploy of deploys) {
        const result = deploy(runId, t);
        t = result.end;
        if (!result.ok) {
          status = 'failure';
          break;
        }
      }
    t += random.between(100, 2 * SECOND);
    timeline.emit(t, {
      ...base,
      type: 'pipelinerun.finished',
      data: cancelled ? { status: 'cancelled' } : { status, durationMs: Math.round(t - started), pipeline },
    });
    return t;
  }

  /** New commits on main, a few minutes to days old, and a release of the newest: staging, then production. */
  #release(service: HistoryService, at: number): void {
    const random = this.#random;
    const commits: DeployedChange[] = [];
    const count = random.int(1, 6);
    for (let i = 0; i < count; i++) {
      const age = Math.min(random.logNormal(4 * HOUR, 1.2), 5 * DAY) + 3 * MINUTE;
      commits.push({ sha: random.hex(40), time: Math.round(Math.max(at - age, service.lastCommit + 1)) });
    }
    commits.sort((a, b) => a.time - b.time);
    service.lastCommit = Math.max(service.lastCommit, commits[commits.length - 1]!.time);
    const sha = commits[commits.length - 1]!.sha;
    const production = service.regions ? service.regions.map((r) => `production@${r}`) : ['production'];
    for (const scope of ['staging', ...production]) scopeOf(service, scope).pending.push(...commits);
    if (service.driver === 'pipeline') {
      // The deploy environments of the run: staging, then production behind a manual approval.
      this.#pipelineRun(service, at, sha, 'main', [
        (runId, t) => this.#deployNode(service, runId, sha, 'staging', ['staging'], t, false),
        (runId, t) => this.#deployNode(service, runId, sha, 'production', production, t, true),
      ]);
      return;
    }
    const ciEnd = this.#pipelineRun(service, at, sha, 'main', []);
    const actor = service.driver === 'gitops' ? 'gitops' : random.pick(PEOPLE);
    const staging = this.#rollouts.rollouts(
      service,
      ['staging'],
      sha,
      actor,
      ciEnd + random.between(MINUTE, HOUR),
    );
    if (!staging.ok) return;
    this.#rollouts.rollouts(
      service,
      production,
      sha,
      actor,
      staging.end + random.between(15 * MINUTE, 8 * HOUR),
    );
  }

  /** A deploy environment of a pipeline run: its approval, its job, the rollouts, the pipeline's own service.deployed. */
  #deployNode(
    service: HistoryService,
    runId: number,
    sha: string,
    environment: string,
    scopes: readonly string[],
    at: number,
    gated: boolean,
  ): RolloutEnd {
    const random = this.#random;
    const timeline = this.#timeline;
    const base = { runId, commitSha: sha, service: service.name, environment } as const;
    let t = at;
    if (gated) {
      timeline.emit(t, { ...base, actor: 'ci', type: 'approval.requested', data: {} });
      t += random.logNormal(20 * MINUTE, 1.2);
      const by = random.pick(PEOPLE);
      if (random.chance(0.02)) {
        timeline.emit(t, { ...base, actor: by, type: 'approval.rejected', data: { comment: 'not today' } });
        return { end: t, ok: false };
      }
      timeline.emit(t, { ...base, actor: by, type: 'approval.granted', data: {} });
    }
    const subject = `deploy/${environment}`;
    const nodeStart = t;
    timeline.emit(t, { ...base, actor: 'ci', type: 'taskrun.started', subject, data: { stage: 'deploy' } });
    const result = this.#rollouts.rollouts(
      service,
      scopes,
      sha,
      'ci',
      t + random.between(2 * SECOND, 20 * SECOND),
    );
    t = result.end + random.between(200, 3 * SECOND);
    const durationMs = Math.round(t - nodeStart);
    if (result.ok)
      timeline.emit(t, { ...base, actor: 'ci', type: 'service.deployed', subject, data: { durationMs } });
    timeline.emit(t + 5, {
      ...base,
      actor: 'ci',
      type: 'taskrun.finished',
      subject,
      data: {
        status: result.ok ? 'success' : 'failure',
        attempts: 1,
        exitCode: result.ok ? 0 : 1,
        durationMs,
        stage: 'deploy',
      },
    });
    return { end: t + 5, ok: result.ok };
  }

  /** An incident in staging or production, opened by the monitoring webhook or by hand, mostly resolved. */
  #incident(service: HistoryService, at: number): void {
    const random = this.#random;
    const environment = random.chance(0.7) ? 'production' : 'staging';
    const external = random.chance(0.6);
    const title = random.pick(INCIDENTS);
    const base = { service: service.name, environment, subject: 'incident' } as const;
    const externalId = external ? `alert-${random.hex(10)}` : undefined;
    const detected = this.#timeline.emit(at, {
      ...base,
      type: 'incident.detected',
      actor: external ? 'alertmanager' : random.pick(PEOPLE),
      data: { title: `${service.name}: ${title}`, ...(externalId ? { externalId } : {}) },
    });
    this.counts.incidents++;
    if (random.chance(0.02)) return;
    this.#timeline.emit(
      at + Math.max(2 * MINUTE, random.logNormal(45 * MINUTE, 1.3)),
      {
        ...base,
        type: 'incident.resolved',
        actor: external ? 'alertmanager' : random.pick(PEOPLE),
        data: externalId ? { externalId } : {},
      },
      detected,
    );
  }
}
