// What a fleet deploy test drives: three regions of two memory-platform hosts each, a real SQLite
// store on a fake clock, a config whose prod environment runs a canary with router analysis, and
// ways to make a host fail (createRevision throws) or report failing traffic for a revision.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '../../src/config/load-config.js';
import type { ResolvedConfig, ResolvedFleet } from '../../src/config/resolved.js';
import type { Platform, ServiceRef } from '../../src/platform/platform.js';
import { deployFleet, type FleetDeps } from '../../src/rollout/fleet/fleet-deploy.js';
import type { FleetDeployOutcome } from '../../src/rollout/fleet/fleet-waves.js';
import { RegionPlatform } from '../../src/rollout/fleet/region-platform.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { createMemoryPlatform, type MemoryPlatform } from '../helpers/memory-platform.js';
import { FakeClock } from './fake-clock.js';

/** Regions in wave order and their hosts. */
export const REGIONS: Readonly<Record<string, readonly string[]>> = {
  'us-east': ['use-a', 'use-b'],
  'eu-west': ['euw-a', 'euw-b'],
  'ap-south': ['aps-a', 'aps-b'],
};

/** Instances each host runs of each revision. */
export const INSTANCES = 2;

/** A fleet deploy test's world; `close` when done. */
export interface FleetHarness {
  readonly clock: FakeClock;
  readonly store: Store;
  /** Each host's own platform, by host name. */
  readonly hosts: ReadonlyMap<string, MemoryPlatform>;
  readonly startedAt: number;
  /** The project directory revisions are made from. */
  readonly dir: string;
  /** The config deploying `version` (VERSION of the service's env), with hook commands when given. */
  config(version: string, hooks?: { preDeploy: string; postDeploy: string }): ResolvedConfig;
  /** The fleet with these offsets (ms) per wave and this rollback scope. */
  fleet(offsets: readonly number[], rollback: ResolvedFleet['rollback']): ResolvedFleet;
  /** The region's platform over its hosts (what a fleet deploy drives). */
  region(name: string): RegionPlatform;
  /** Deploys `version` over `fleet` on the fake clock (with `config` instead of the plain one when given). */
  deploy(version: string, fleet: ResolvedFleet, config?: ResolvedConfig): Promise<FleetDeployOutcome>;
  /** From now on createRevision on `host` throws this error (until `heal`). */
  breakHost(host: string, error: Error): void;
  heal(host: string): void;
  /**
   * From now on each metrics read on `host` first adds `requests` requests to every revision the
   * host serves that is not `except`, `errors` of them 5xx.
   */
  traffic(host: string, requests: number, errors: number, except?: string): void;
  /** Weights (non-zero) per revision on a host now. */
  weights(host: string): Promise<Record<string, number>>;
  /** Desired instances (non-zero) per revision on a host now. */
  desired(host: string): Promise<Record<string, number>>;
  /** Stored events of type fleet.*, in order. */
  fleetEvents(): Promise<{ type: string; time: number; data: Record<string, unknown> }[]>;
  close(): Promise<void>;
}

const REF: ServiceRef = { service: 'web', env: 'prod' };

/** Sets up the hosts, store and clock; nothing is deployed yet. */
export async function fleetHarness(): Promise<FleetHarness> {
  const clock = new FakeClock();
  const startedAt = clock.now();
  const stateDir = await mkdtemp(join(tmpdir(), 'slipway-fleet-state-'));
  const dir = await mkdtemp(join(tmpdir(), 'slipway-fleet-project-'));
  await writeFile(join(dir, 'server.mjs'), '// served by the memory platform\n');
  const store = await openSqliteStore({ file: join(stateDir, 'state.db'), clock });
  const hosts = new Map<string, MemoryPlatform>();
  const broken = new Map<string, Error>();
  const feeds = new Map<string, { requests: number; errors: number; except?: string }>();
  const counters = new Map<string, { requests: number; errors: number }>();
  let inFlight = 0;
  const tracked = new Map<string, Platform>();
  for (const name of Object.values(REGIONS).flat()) {
    const platform = createMemoryPlatform({ clock });
    hosts.set(name, platform);
    tracked.set(
      name,
      counted(
        platform,
        (delta) => {
          inFlight += delta;
        },
        async (method, ref) => {
          if (method === 'createRevision') {
            const error = broken.get(name);
            if (error) throw error;
          }
          const feed = feeds.get(name);
          if (method === 'metrics' && feed && ref) {
            for (const r of (await platform.status(ref))?.revisions ?? []) {
              if (r.id === feed.except || r.weight === 0) continue;
              const key = `${name}/${r.id}`;
              const seen = counters.get(key) ?? { requests: 0, errors: 0 };
              const next = { requests: seen.requests + feed.requests, errors: seen.errors + feed.errors };
              counters.set(key, next);
              platform.setMetrics(ref, r.id, { requests: next.requests, status5xx: next.errors });
            }
          }
        },
      ),
    );
  }
  const region = (name: string) =>
    new RegionPlatform(
      name,
      (REGIONS[name] ?? []).map((host) => ({ name: host, platform: tracked.get(host) as Platform })),
    );
  const config = (version: string, hooks?: { preDeploy: string; postDeploy: string }) =>
    configOf(version, hooks);
  const deps: FleetDeps = {
    store,
    clock,
    report: () => {},
    owner: 'fleet-test',
    env: {},
    regionPlatform: region,
  };
  const revisions = async (host: string) => (await hosts.get(host)?.status(REF))?.revisions ?? [];
  return {
    clock,
    store,
    hosts,
    startedAt,
    dir,
    config,
    fleet: (offsets, rollback) => ({
      regions: REGIONS,
      waves: Object.keys(REGIONS).map((r, i) => ({ region: r, offsetMs: offsets[i] ?? 0, traffic: 1 / 3 })),
      failover: { strategy: 'manual', healthThreshold: 0.5, switchoverMs: 30_000 },
      rollback,
    }),
    region,
    deploy: (version, fleet, given) =>
      clock.run(
        deployFleet(deps, {
          config: given ?? config(version),
          projectDir: dir,
          service: 'web',
          env: 'prod',
          actor: 'tester',
          commitSha: null,
          readyTimeoutMs: 5_000,
          fleet,
        }),
        { idle: () => inFlight === 0 },
      ),
    breakHost: (host, error) => broken.set(host, error),
    heal: (host) => broken.delete(host),
    traffic: (host, requests, errors, except) =>
      feeds.set(host, { requests, errors, ...(except === undefined ? {} : { except }) }),
    weights: async (host) => nonZero((await revisions(host)).map((r) => [r.id, r.weight])),
    desired: async (host) => nonZero((await revisions(host)).map((r) => [r.id, r.desired])),
    fleetEvents: async () =>
      (await store.listEvents())
        .filter((e) => e.type.startsWith('fleet'))
        .map((e) => ({ type: e.type, time: e.time, data: e.data as Record<string, unknown> })),
    close: async () => {
      // Removing first sets every count to zero: an instance still draining when the platform
      // closes would otherwise be replaced by a new one once it stops, and keep the process alive.
      await Promise.all([...hosts.values()].map((h) => h.remove(REF).catch(() => undefined)));
      await Promise.all([...hosts.values()].map((h) => h.close()));
      await store.close();
      await rm(stateDir, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The config of the fixture service at `version`: a canary of two analysed stages in prod. */
function configOf(version: string, hooks?: { preDeploy: string; postDeploy: string }): ResolvedConfig {
  const { config } = loadConfigText(`services:
  web:
    run: node server.mjs
    instances: ${INSTANCES}
    env: { VERSION: ${version} }
    shutdown: { drain: 0s, timeout: 1s }
environments:
  prod:
    strategy:
      canary:
        stages:
          - { traffic: 50, duration: 2s }
          - { traffic: 100 }
        metrics: [error_rate]
    analysis: { interval: 1s, minRequests: 0, failureLimit: 0, inconclusiveLimit: 100 }
${hooks ? `    hooks: { preDeploy: ${JSON.stringify(hooks.preDeploy)}, postDeploy: ${JSON.stringify(hooks.postDeploy)} }\n` : ''}`);
  if (!config) throw new Error('the fixture config did not load');
  return config;
}

function nonZero(entries: readonly [string, number][]): Record<string, number> {
  return Object.fromEntries(entries.filter(([, n]) => n !== 0));
}

/**
 * `platform`, telling `onCall` +1 when a method is called and -1 when it settles (the fake clock
 * only moves while no host call is in flight), and running `before` ahead of every call.
 */
function counted(
  platform: Platform,
  onCall: (delta: 1 | -1) => void,
  before: (method: string, ref: ServiceRef | undefined) => Promise<void>,
): Platform {
  return new Proxy(platform, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        onCall(1);
        const ref = isRef(args[0]) ? args[0] : undefined;
        return before(String(property), ref)
          .then(() => value.apply(target, args))
          .finally(() => onCall(-1));
      };
    },
  });
}

function isRef(value: unknown): value is ServiceRef {
  return typeof value === 'object' && value !== null && 'service' in value && 'env' in value;
}
