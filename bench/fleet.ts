// A fleet deploy on real network hosts, held against the floor of copying the same revision: six
// namespace hosts in three regions (40/30/30 %, waves immediate, +2s and +4s), Slipway set up on each
// with `slipway host setup` (untimed), `slipway edge` in front; `slipway deploy` brings the example
// app's first revision up, then takes the next one in with a canary. A fixed-rate load goes through
// the edge from the end of the first deploy (before it nothing serves the service, so the edge has
// nowhere to send traffic) through the whole canary deploy and its completion. Prints one JSON line:
// deploy_s (the canary deploy's waves without their offsets and analysed holds, see
// bench/lib/fleet-timing.ts), floor_s (tar | ssh to all six hosts at once and one instance started on
// each until it answers, measured in the same run), their ratio, and requests and failed of that
// load. Where the time went goes to stderr.
// Needs root, sshd, ssh and iproute2. Run with `npm run bench:fleet`.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../src/store/open-store.js';
import type { StoredEvent } from '../src/store/store.js';
import {
  createNamespaceHosts,
  type NamespaceHost,
  type NamespaceHosts,
  namespaceHostsSkip,
} from '../test/helpers/namespace-hosts.js';
import { type Floor, measureFloor, stopFloor } from './lib/fleet-floor.js';
import { type FixedRateLoad, type LoadRequest, startFixedRateLoad } from './lib/fleet-load.js';
import { hostCosts } from './lib/fleet-profile.js';
import {
  type BenchRegion,
  CANARY,
  type CliProcess,
  type CliResult,
  type FleetProject,
  fleetProject,
} from './lib/fleet-project.js';
import { type DeployTiming, deployTiming, waveProfile } from './lib/fleet-timing.js';

const SCRATCH = '/tmp/fleet-bench';
const REGIONS = [
  { name: 'us-east', share: 40, deployment: 'immediate' },
  { name: 'eu-west', share: 30, deployment: '+2s' },
  { name: 'ap-south', share: 30, deployment: '+4s' },
] as const;
const HOSTS_PER_REGION = 2;
const EDGE_PORT = 18_900 + Math.floor(Math.random() * 900);
const RPS = 150;
const SETUP_TIMEOUT_MS = 300_000;
const DEPLOY_TIMEOUT_MS = 120_000;
const FLOOR_TIMEOUT_MS = 30_000;
const EDGE_SERVES_TIMEOUT_MS = 60_000;
const MAX_MS = 8 * 60_000;
const TARGET_RATIO = 1.5;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const seconds = (ms: number): number => Math.round(ms / 10) / 100;

/** A deploy under load: its window, its CLI result and its timing. */
interface DeployRun {
  readonly from: number;
  readonly to: number;
  readonly result: CliResult;
  readonly timing: DeployTiming;
}

/** Runs `slipway deploy` and reads its timing. */
async function deploy(project: FleetProject, label: string): Promise<DeployRun> {
  const store = await openStore({ projectDir: project.dir });
  const since = (await store.listEvents()).at(-1)?.id ?? 0;
  await store.close();
  const from = Date.now();
  const result = await project.run(['--json', 'deploy', 'hello', '--env', 'production'], DEPLOY_TIMEOUT_MS);
  const to = Date.now();
  if (result.code !== 0) {
    for (const line of result.lines.slice(-15)) log(`  ${line.text}`);
    throw new Error(`${label}: slipway deploy exited ${result.code}: ${result.stderr.trim()}`);
  }
  const after = await openStore({ projectDir: project.dir });
  let events: StoredEvent[];
  try {
    events = await after.listEvents({ afterId: since });
  } finally {
    await after.close();
  }
  const timing = deployTiming(events, since, result.lines, CANARY.intervalMs);
  log(
    `${label}: ${seconds(to - from)} s wall (fleet ${seconds(timing.wallMs)} s), waves ` +
      timing.waves
        .map((w) => `${w.region} ${seconds(w.ms)} s${w.holds > 0 ? ` (holds ${seconds(w.holdMs)} s)` : ''}`)
        .join(', ') +
      `, offsets waited ${seconds(timing.offsetsMs)} s -> ${seconds(timing.ms)} s without offsets and holds`,
  );
  for (const wave of timing.waves) log(`  ${waveProfile(events, result.lines, wave.region)}`);
  return { from, to, result, timing };
}

/** Hosts of a region, as the lab numbers them. */
function regionsOf(lab: NamespaceHosts): BenchRegion[] {
  return REGIONS.map((r, i) => ({
    ...r,
    hosts: lab.hosts.slice(i * HOSTS_PER_REGION, (i + 1) * HOSTS_PER_REGION),
  }));
}

/** The local revision folders of the service (the floor copies the one the canary deployed). */
function revisionSource(dir: string, id: string): string {
  return join(dir, '.slipway', 'revisions', 'hello', id, 'source');
}

/** GET until the edge answers 200 (a region serves), bounded. */
async function waitEdgeServes(url: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) })
      .then((res) => res.ok)
      .catch(() => false);
    if (ok) return Date.now();
    if (Date.now() > deadline) throw new Error(`the edge served nothing within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Requests that started in [from, to). */
function within(records: readonly LoadRequest[], from: number, to: number): LoadRequest[] {
  return records.filter((r) => r.start >= from && r.start < to);
}

function failureSummary(records: readonly LoadRequest[]): string {
  const counts = new Map<string, number>();
  for (const r of records) if (!r.ok) counts.set(r.detail, (counts.get(r.detail) ?? 0) + 1);
  return [...counts].map(([detail, n]) => `${n} x ${detail}`).join(', ') || 'none';
}

/** Stops each host's agent (its supervisor pid, written under the host's folder) and its instances. */
async function stopAgents(hosts: readonly NamespaceHost[]): Promise<void> {
  const pids: number[] = [];
  for (const host of hosts) {
    try {
      const [pid] = readFileSync(join(host.dir, 'state', 'agent', 'supervisor.pid'), 'utf8')
        .trim()
        .split(/\s+/);
      if (Number(pid) > 0) pids.push(Number(pid));
    } catch {
      // No agent ran there.
    }
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && pids.some(alive)) await sleep(100);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function run(lab: NamespaceHosts, scratch: string, state: RunState): Promise<Record<string, unknown>> {
  const regions = regionsOf(lab);
  const project = fleetProject(lab, scratch, regions);
  state.project = project;
  project.write('1');

  const setupAt = Date.now();
  const setups = await Promise.all(
    lab.hosts.map((h) => project.run(['host', 'setup', h.name], SETUP_TIMEOUT_MS)),
  );
  setups.forEach((r, i) => {
    if (r.code !== 0)
      throw new Error(
        `slipway host setup ${lab.hosts[i]?.name} exited ${r.code}: ${r.lines.map((l) => l.text).join(' | ')} ${r.stderr.trim()}`,
      );
  });
  log(
    `host setup of ${lab.hosts.length} hosts at once (untimed): ${seconds(Date.now() - setupAt)} s; ` +
      setups.map((r) => seconds((r.lines.at(-1)?.at ?? setupAt) - setupAt)).join('/'),
  );

  const edge = project.start([
    '--json',
    'edge',
    'production',
    '--service',
    'hello',
    '--port',
    String(EDGE_PORT),
    '--hold',
    '1s',
    '--restore-step',
    '500ms',
  ]);
  state.edge = edge;
  await edge.waitFor((line) => line.includes('"listening"'), 15_000);
  const url = `http://127.0.0.1:${EDGE_PORT}/`;

  // The first deploy, without load: until it ends nothing serves the service. The load then runs
  // through the floor and the canary deploy, to the end.
  const first = await deploy(project, 'first deploy');
  const serving = await waitEdgeServes(url, EDGE_SERVES_TIMEOUT_MS);
  const load: FixedRateLoad = startFixedRateLoad(url, RPS, MAX_MS);
  state.load = load;
  log(`first deploy done; the edge serves ${seconds(serving - first.to)} s after it; load on`);

  // The floor, under the same load, between the deploys: the same revision source the first deploy made.
  const revisions = readdirSync(join(project.dir, '.slipway', 'revisions', 'hello')).filter((n) =>
    /^r-[0-9a-f]{12}$/.test(n),
  );
  const firstRevision = revisions[0];
  if (revisions.length !== 1 || firstRevision === undefined)
    throw new Error(`expected one local revision, found ${revisions.join(', ')}`);
  const floor: Floor = await measureFloor(
    lab.hosts,
    revisionSource(project.dir, firstRevision),
    project.sshConfig,
    FLOOR_TIMEOUT_MS,
  );
  state.floor = floor;
  log(
    `floor: ${seconds(floor.ms)} s (${floor.hosts.map((h) => `${h.host} shipped ${h.shippedMs} ms, answered ${h.answeredMs} ms`).join('; ')})`,
  );
  await stopFloor(lab.hosts, floor);
  state.floor = undefined;

  // The canary of the next revision, timed.
  project.write('2');
  const logins = lab.hosts.map((h) => lab.acceptedConnections(h));
  const canary = await deploy(project, 'canary deploy');
  log(
    `canary deploy: ssh logins per host ${lab.hosts.map((h, i) => lab.acceptedConnections(h) - (logins[i] ?? 0)).join('/')}`,
  );

  await sleep(500);
  const records = await load.stop();
  state.load = undefined;
  const during = records;
  const canaryPart = within(records, canary.from, canary.to);
  log(
    `load, after the first deploy to the end: ${during.length} requests, failed: ${failureSummary(during)}`,
  );
  log(`load, canary deploy: ${canaryPart.length} requests, failed: ${failureSummary(canaryPart)}`);
  const versions = new Map<string, number>();
  for (const r of canaryPart) if (r.ok) versions.set(r.detail, (versions.get(r.detail) ?? 0) + 1);
  log(`served during the canary: ${[...versions].map(([v, n]) => `${n} x ${v}`).join(', ')}`);
  const pair = lab.hosts.slice(0, HOSTS_PER_REGION);
  const costs = await Promise.all(pair.map((h) => hostCosts(h, project.sshConfig, scratch)));
  log(
    `costs on ${pair.map((h) => h.name).join(' and ')} at once (median ms): ` +
      costs
        .map((c) => `login ${c.login}, command ${c.command}, node start ${c.node}, agent probe ${c.probe}`)
        .join('; '),
  );
  const deployS = seconds(canary.timing.ms);
  const floorS = seconds(floor.ms);
  const ratio = Math.round((canary.timing.ms / floor.ms) * 100) / 100;
  const failed = during.filter((r) => !r.ok).length;
  const met = ratio <= TARGET_RATIO && failed === 0;
  log(`targets ${met ? 'met' : 'missed'} (ratio <= ${TARGET_RATIO}, failed = 0)`);
  if (!met) process.exitCode = 1;
  return {
    bench: 'fleet',
    hosts: lab.hosts.length,
    regions: REGIONS.length,
    deploy_s: deployS,
    floor_s: floorS,
    ratio,
    requests: during.length,
    failed,
  };
}

/** What has to be stopped whatever happens. */
interface RunState {
  project?: FleetProject;
  edge?: CliProcess;
  load?: FixedRateLoad;
  floor?: Floor | undefined;
}

async function main(): Promise<void> {
  const skip = namespaceHostsSkip();
  if (skip) throw new Error(`cannot run: ${skip}`);
  mkdirSync(SCRATCH, { recursive: true });
  const scratch = join(SCRATCH, `run-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const state: RunState = {};
  let lab: NamespaceHosts | undefined;
  const stopAll = async (): Promise<void> => {
    await state.load?.stop();
    await state.edge?.stop();
    if (lab) {
      await stopFloor(lab.hosts, state.floor);
      await stopAgents(lab.hosts);
      await lab.cleanup();
    }
    rmSync(scratch, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: cleaning up`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const guard = setTimeout(() => {
    log(`over ${MAX_MS / 1000} s: giving up`);
    void stopAll().finally(() => process.exit(1));
  }, MAX_MS);
  try {
    lab = await createNamespaceHosts(REGIONS.length * HOSTS_PER_REGION);
    const result = await run(lab, scratch, state);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    clearTimeout(guard);
    await stopAll();
  }
}

main().catch((error: unknown) => {
  log(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exitCode = 1;
});
