// What a rollout controller unit test drives: a fake clock, a real SQLite store on that clock, the
// memory platform serving a stable revision, and rollouts stored with hand-written steps.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '../../src/config/load-config.js';
import type { ResolvedService } from '../../src/config/resolved.js';
import type { Platform, Revision, ServiceRef } from '../../src/platform/platform.js';
import type {
  ControllerDeps,
  RolloutEvent,
  RolloutOutcome,
} from '../../src/rollout/controller/controller-types.js';
import { RolloutController } from '../../src/rollout/controller/rollout-controller.js';
import type { RolloutSpec } from '../../src/rollout/controller/rollout-spec.js';
import type { RolloutStep } from '../../src/rollout/rollout-step.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Rollout, Store } from '../../src/store/store.js';
import { createMemoryPlatform, type MemoryPlatform } from '../helpers/memory-platform.js';
import { FakeClock } from './fake-clock.js';

/** The controller the tests drive with, unless one says otherwise. */
export const OWNER = 'controller-a';

/** Instances of each revision in the fixture. */
export const INSTANCES = 2;

/** A controller test's world; `close` when done. */
export interface ControllerHarness {
  readonly clock: FakeClock;
  readonly store: Store;
  /** The platform itself, for setting metrics and reading state. */
  readonly platform: MemoryPlatform;
  readonly ref: ServiceRef;
  /** Serves all traffic before a rollout starts. */
  readonly stable: Revision;
  /** What the rollouts deploy. */
  readonly next: Revision;
  /** Everything every controller reported, in order. */
  readonly events: RolloutEvent[];
  /** When the harness was set up, on the fake clock. */
  readonly startedAt: number;
  /** Controller dependencies; `overrides` replace fields (another owner, a signal...). */
  deps(overrides?: Partial<ControllerDeps>): ControllerDeps;
  /** Stores a rollout from the stable to the next revision (or `spec.next`) with these steps and spec fields. */
  begin(steps: readonly RolloutStep[], spec?: Partial<RolloutSpec>): Promise<Rollout>;
  /** Drives a rollout to its end on the fake clock. */
  drive(id: number, overrides?: Partial<ControllerDeps>): Promise<RolloutOutcome>;
  /** Awaits `work` (a use case that drives rollouts) on the fake clock. */
  run<T>(work: Promise<T>): Promise<T>;
  /** Makes one more revision of the fixture service, with `env` on top of VERSION=v3. */
  revision(env: Readonly<Record<string, string>>): Promise<Revision>;
  /** Runs `action` once `ms` have passed on the fake clock (while something drives it). */
  at(ms: number, action: () => unknown): void;
  /**
   * Simulates traffic to the new revision until `untilMs`: every 100 ms of clock time its metrics
   * grow by what `tick(t)` says it answered in the 100 ms up to `t` (ms from now).
   */
  feed(tick: (t: number) => Traffic, untilMs: number): void;
  /** Weights per revision as the platform routes them now; zeros are left out. */
  weights(): Promise<Record<string, number>>;
  /** Desired instances per revision on the platform now; zeros are left out. */
  desired(): Promise<Record<string, number>>;
  /** Types of the stored events about `rollout`, in order. */
  storedEvents(rollout: number): Promise<string[]>;
  close(): Promise<void>;
}

/** Requests and failed requests (5xx) over some span. */
export interface Traffic {
  readonly requests: number;
  readonly errors: number;
}

/** The spec fields every test shares: no checks, no hooks, strict analysis, auto-rollback on. */
export function baseSpec(stable: Revision, next: Revision, workdir: string): RolloutSpec {
  return {
    strategy: 'canary',
    steps: [],
    stable: { id: stable.id, instances: INSTANCES },
    next: { id: next.id, instances: INSTANCES },
    analysis: {
      intervalMs: 1000,
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 0,
      minRequests: 0,
      metrics: [{ name: 'error_rate', provider: { kind: 'router' }, max: 1 }],
    },
    autoRollback: true,
    checks: { smoke: [], warmup: [], synthetic: [], timeoutMs: 10_000 },
    hooks: { timeoutMs: 60_000 },
    readyTimeoutMs: 5_000,
    workdir,
  };
}

/** A step record as the planners write them. */
export function step(
  action: RolloutStep['action'],
  weights: Record<string, number>,
  instances: Record<string, number>,
  extra: Partial<RolloutStep> = {},
): RolloutStep {
  return { action, weights, instances, ...extra };
}

/**
 * Sets up the world: the stable revision serves all traffic with INSTANCES instances. The
 * controller's platform calls are counted so the fake clock only moves while none is in flight:
 * the memory platform does real loopback I/O, and time must not run on during it.
 */
export async function controllerHarness(): Promise<ControllerHarness> {
  const clock = new FakeClock();
  const startedAt = clock.now();
  const dir = await mkdtemp(join(tmpdir(), 'slipway-controller-'));
  const store = await openSqliteStore({ file: join(dir, 'state.db'), clock });
  const platform = createMemoryPlatform({ clock });
  const ref = { service: 'web', env: 'prod' };
  const revision = (env: Readonly<Record<string, string>>) =>
    platform.createRevision({ service: fixtureService(env), baseDir: dir });
  const stable = await revision({ VERSION: 'v1' });
  const next = await revision({ VERSION: 'v2' });
  await platform.ensureService(ref, {});
  await platform.scale(ref, stable.id, INSTANCES);
  await platform.waitReady(ref, stable.id, INSTANCES, 5_000);
  await platform.setTraffic(ref, { weights: { [stable.id]: 100 }, roles: { stable: stable.id } });
  let inFlight = 0;
  const tracked = countCalls(platform, (delta) => {
    inFlight += delta;
  });
  const events: RolloutEvent[] = [];
  const deps = (overrides: Partial<ControllerDeps> = {}): ControllerDeps => ({
    store,
    platform: tracked,
    clock,
    report: (event) => events.push(event),
    owner: OWNER,
    env: {},
    ...overrides,
  });
  const run = <T>(work: Promise<T>) => clock.run(work, { idle: () => inFlight === 0 });
  const status = async () => (await platform.status(ref))?.revisions ?? [];
  return {
    clock,
    store,
    platform,
    ref,
    stable,
    next,
    events,
    startedAt,
    deps,
    begin: (steps, spec = {}) =>
      store.createRollout({
        service: ref.service,
        environment: ref.env,
        revision: spec.next?.id ?? next.id,
        stableRevision: stable.id,
        strategy: 'canary',
        plan: { ...baseSpec(stable, next, dir), steps, ...spec },
        actor: 'tester',
        owner: OWNER,
      }),
    drive: (id, overrides) => run(new RolloutController(deps(overrides)).drive(id)),
    run,
    revision: (env) => revision({ VERSION: 'v3', ...env }),
    at: (ms, action) => {
      void clock.sleep(ms).then(action);
    },
    feed: (tick, untilMs) => {
      let requests = 0;
      let errors = 0;
      platform.setMetrics(ref, next.id, {});
      for (let t = 100; t <= untilMs; t += 100) {
        const at = t;
        void clock.sleep(at).then(() => {
          const traffic = tick(at);
          requests += traffic.requests;
          errors += traffic.errors;
          platform.setMetrics(ref, next.id, { requests, status5xx: errors });
        });
      }
    },
    // A revision scaled to zero stays listed until its instances have drained, so zeros say nothing.
    weights: async () => nonZero((await status()).map((r) => [r.id, r.weight])),
    desired: async () => nonZero((await status()).map((r) => [r.id, r.desired])),
    storedEvents: async (rollout) =>
      (await store.listEvents()).filter((e) => e.subject === `rollout/${rollout}`).map((e) => e.type),
    close: async () => {
      await platform.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The fixture app's service with `env` (the memory platform runs it in process, MODE picks its behaviour). */
function fixtureService(env: Readonly<Record<string, string>>): ResolvedService {
  const { config } = loadConfigText(`services:
  web:
    run: node server.mjs
    instances: ${INSTANCES}
    env: ${JSON.stringify(env)}
    shutdown: { drain: 0s, timeout: 1s }
`);
  const service = config?.services.web;
  if (!service) throw new Error('the fixture service did not load');
  return service;
}

function nonZero(entries: readonly [string, number][]): Record<string, number> {
  return Object.fromEntries(entries.filter(([, n]) => n !== 0));
}

/** `platform`, telling `onCall` +1 when a method is called and -1 when its promise settles. */
function countCalls(platform: Platform, onCall: (delta: 1 | -1) => void): Platform {
  return new Proxy(platform, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        onCall(1);
        return Promise.resolve(value.apply(target, args)).finally(() => onCall(-1));
      };
    },
  });
}
