// bench:api — status reads against `slipway server` at a constant rate (open model).
// Deploys examples/hello to a `bench` environment through the local agent, starts a few tiny runs,
// then starts the server as its own process and sends BENCH_API_RPS requests per second for
// BENCH_API_SECONDS over bounded keep-alive connections: a mix of GET service status, GET /runs,
// GET /runs/:id and GET /services with a viewer token. Requests are sent at scheduled times and
// latency counts from the scheduled time, so a stalled server cannot hide its queue (coordinated
// omission). Any non-2xx, timeout, connection error or request dropped at the in-flight bound is
// an error. The store is PostgreSQL (SLIPWAY_DATABASE_URL, default the local test database, in a
// schema of its own that is dropped afterwards); BENCH_API_STORE=sqlite uses the project's SQLite.
// Then, with the server stopped, the same generator (bench/lib/constant-rate.mjs), rate, connection
// bound and request mix run for BENCH_API_FLOOR_SECONDS (default 10; 0 skips it) against a floor: a
// minimal node:http server (bench/lib/floor-server.mjs, its own process, loopback) answering a fixed
// JSON body as large as the status answer. p99_vs_floor is Slipway's p99 over the floor's p99.
// Progress goes to stderr; stdout gets one JSON line:
// {"bench":"api","rps":..,"p99_ms":..,"errors":..,"target_met":..,"floor_p99_ms":..,"floor_p50_ms":..,
// "p99_vs_floor":..,...}; target_met is about Slipway alone.
// Needs `npm run build` first.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { constantRate, quantile } from './lib/constant-rate.mjs';
import { exampleProject, ROOT, serviceYaml } from './lib/example-project.mjs';

const RPS = Number(process.env.BENCH_API_RPS ?? 1000);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 30);
const WARMUP_SECONDS = Number(process.env.BENCH_API_WARMUP_SECONDS ?? 3);
const STORE = process.env.BENCH_API_STORE === 'sqlite' ? 'sqlite' : 'postgres';
const DEPLOY = process.env.BENCH_API_DEPLOY !== '0';
const BASE_URL = process.env.SLIPWAY_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const FLOOR_SECONDS = Number(process.env.BENCH_API_FLOOR_SECONDS ?? 10);
const TARGET_P99_MS = 50;
const CONNECTIONS = 32;
const BIN = join(ROOT, 'bin', 'slipway.js');
const FLOOR_SERVER = join(import.meta.dirname, 'lib', 'floor-server.mjs');
const SERVICE = 'hello';
const ENV = 'bench';

const log = (message) => process.stderr.write(`bench:api: ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const yaml = `${serviceYaml('v1')}environments:
  ${ENV}:
    strategy:
      rolling: { batchSize: 1, maxSurge: 1, maxUnavailable: 0 }
jobs:
  hello: { run: echo hello-from-bench }
`;

/** A PostgreSQL schema of this run only: the URL selects it through search_path. */
async function createSchema() {
  const schema = `bench_api_${process.pid}_${Date.now().toString(36)}`;
  const client = new pg.Client({ connectionString: BASE_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  const url = new URL(BASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { schema, url: url.toString() };
}

async function dropSchema(schema) {
  const client = new pg.Client({ connectionString: BASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Starts `slipway server --port 0` in `dir`; resolves with the child and its URL. */
function startServer(dir, env) {
  // BENCH_API_PROFILE=<dir> writes a V8 CPU profile of the server there when it stops.
  const profile = process.env.BENCH_API_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_API_PROFILE}`]
    : [];
  return startListening('the server', [...profile, BIN, 'server', '--port', '0'], dir, env);
}

/** Starts the floor server (bench/lib/floor-server.mjs) answering `bytes`-long JSON bodies. */
function startFloor(dir, bytes) {
  const env = { PATH: process.env.PATH, FLOOR_BODY_BYTES: String(bytes) };
  return startListening('the floor server', [FLOOR_SERVER], dir, env);
}

/** Spawns node with `args`; resolves with the child and the URL it prints as `listening on <url>`. */
function startListening(name, args, dir, env) {
  const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within 60 s:\n${stderr}`));
    }, 60_000);
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        child.stdout.resume();
        resolve({ child, url: match[1], stderr: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it listened:\n${stderr}`));
    });
  });
}

/** Stops the server with SIGTERM (SIGKILL after 10 s); resolves when it exited. */
function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** User + system CPU seconds of a process so far (Linux; undefined elsewhere). */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat; fields[] starts at field 3. Ticks are 1/100 s on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function createToken(project, role) {
  const out = await project.run('token', 'create', '--role', role, '--name', `bench-${role}`, '--json');
  if (out.status !== 0) throw new Error(`token create failed:\n${out.stderr}${out.stdout}`);
  const line = out.stdout.split('\n').find((l) => l.startsWith('{'));
  return JSON.parse(line ?? '{}').token;
}

/** Starts `count` tiny runs through the API and waits (at most 30 s) until they finished; returns their ids. */
async function seedRuns(url, token, viewer, count) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${url}/api/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    if (response.status !== 202)
      throw new Error(`starting a run: ${response.status} ${await response.text()}`);
    ids.push((await response.json()).runId);
  }
  const deadline = Date.now() + 30_000;
  for (const id of ids) {
    while (Date.now() < deadline) {
      const shown = await (
        await fetch(`${url}/api/v1/runs/${id}`, { headers: { authorization: `Bearer ${viewer}` } })
      ).json();
      if (shown.run.finishedAt !== null) break;
      await sleep(100);
    }
  }
  return ids;
}

const round = (n) => Math.round(n * 100) / 100;

/** Answered requests per second of a constantRate() result. */
function answeredRps(result) {
  return ((result.total - result.dropped - result.unanswered) / result.elapsedMs) * 1000;
}

/**
 * The floor: the same generator, rate, connection bound and request mix (same route names and
 * weights, same paths and token) against a minimal node:http server answering a fixed JSON body of
 * `bodyBytes` (the size of the status answer), with the same warm-up, for FLOOR_SECONDS.
 */
async function measureFloor(dir, targets, token, bodyBytes) {
  const floor = await startFloor(dir, bodyBytes);
  cleanups.push(() => stopServer(floor.child)); // also on SIGINT mid-run; a no-op once it exited
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS, maxFreeSockets: CONNECTIONS });
  try {
    log(`floor ${floor.url} (pid ${floor.child.pid}, ${bodyBytes}-byte JSON body)`);
    const floorTargets = targets.map((t) => {
      const { pathname, search } = new URL(t.url);
      return { ...t, url: `${floor.url}${pathname}${search}` };
    });
    if (WARMUP_SECONDS > 0) await constantRate(agent, floorTargets, token, RPS, WARMUP_SECONDS);
    log(`measuring the floor: ${RPS} req/s for ${FLOOR_SECONDS} s over at most ${CONNECTIONS} connections`);
    const result = await constantRate(agent, floorTargets, token, RPS, FLOOR_SECONDS);
    if (result.errors > 0) log(`floor statuses: ${JSON.stringify(result.statuses)}`);
    return {
      p50: quantile(result.sorted, 0.5),
      p99: quantile(result.sorted, 0.99),
      errors: result.errors,
      rps: answeredRps(result),
      bodyBytes,
    };
  } finally {
    agent.destroy();
    await stopServer(floor.child);
  }
}

const cleanups = [];
async function cleanup() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()();
    } catch (error) {
      log(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  const env = { ...process.env, NO_COLOR: '1', SLIPWAY_ACTOR: 'bench' };
  delete env.SLIPWAY_DATABASE_URL;
  if (STORE === 'postgres') {
    const created = await createSchema();
    cleanups.push(() => dropSchema(created.schema));
    env.SLIPWAY_DATABASE_URL = created.url;
  }
  // exampleProject() runs the CLI with process.env, so the store choice must be there too.
  if (env.SLIPWAY_DATABASE_URL) process.env.SLIPWAY_DATABASE_URL = env.SLIPWAY_DATABASE_URL;
  else delete process.env.SLIPWAY_DATABASE_URL;
  const project = exampleProject();
  cleanups.push(() => project.cleanup());
  project.write(yaml);
  let deployed = false;
  if (DEPLOY) {
    log(`deploying ${SERVICE} to ${ENV} through the local agent`);
    const deploy = await project.run('deploy', SERVICE, '--env', ENV);
    deployed = deploy.status === 0;
    if (!deployed) log(`deploy failed (status reads see no service):\n${deploy.stderr}${deploy.stdout}`);
  }
  const viewer = await createToken(project, 'viewer');
  const deployer = await createToken(project, 'deployer');
  const server = await startServer(project.dir, env);
  cleanups.push(() => stopServer(server.child));
  log(`server ${server.url} (pid ${server.child.pid}, ${STORE})`);
  const runIds = await seedRuns(server.url, deployer, viewer, 5);
  const api = `${server.url}/api/v1`;
  const targets = [
    { name: 'service_status', url: `${api}/services/${SERVICE}/environments/${ENV}`, weight: 4 },
    { name: 'runs', url: `${api}/runs?limit=20`, weight: 2 },
    { name: 'run', url: `${api}/runs/${runIds.at(-1)}`, weight: 2 },
    { name: 'services', url: `${api}/services`, weight: 2 },
  ];
  let statusBytes = 0;
  for (const target of targets) {
    const response = await fetch(target.url, { headers: { authorization: `Bearer ${viewer}` } });
    if (response.status !== 200)
      throw new Error(`${target.url}: ${response.status} ${await response.text()}`);
    const bytes = (await response.arrayBuffer()).byteLength;
    if (target.name === 'service_status') statusBytes = bytes;
  }
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS, maxFreeSockets: CONNECTIONS });
  cleanups.push(() => agent.destroy());
  if (WARMUP_SECONDS > 0) {
    log(`warming up: ${RPS} req/s for ${WARMUP_SECONDS} s`);
    await constantRate(agent, targets, viewer, RPS, WARMUP_SECONDS);
  }
  log(`measuring: ${RPS} req/s for ${SECONDS} s over at most ${CONNECTIONS} connections`);
  const cpuBefore = cpuSeconds(server.child.pid);
  const result = await constantRate(agent, targets, viewer, RPS, SECONDS);
  const cpuAfter = cpuSeconds(server.child.pid);
  const rps = answeredRps(result);
  const p99 = quantile(result.sorted, 0.99);
  // The floor runs with the Slipway server stopped, so the two never share the host's CPUs.
  await stopServer(server.child);
  const floor = FLOOR_SECONDS > 0 ? await measureFloor(project.dir, targets, viewer, statusBytes) : null;
  const byRoute = {};
  for (const [name, route] of result.routes) {
    const sorted = Float64Array.from(route.latencies).sort();
    byRoute[name] = {
      p50_ms: round(quantile(sorted, 0.5)),
      p99_ms: round(quantile(sorted, 0.99)),
      errors: route.errors,
    };
  }
  if (result.errors > 0)
    log(
      `statuses: ${JSON.stringify(result.statuses)}; dropped ${result.dropped}, unanswered ${result.unanswered}`,
    );
  if (server.stderr().trim() !== '') log(`server stderr: ${server.stderr().trim().slice(-1000)}`);
  const targetMet = result.errors === 0 && rps >= RPS * 0.98 && p99 < TARGET_P99_MS;
  console.log(
    JSON.stringify({
      bench: 'api',
      rps: round(rps),
      p99_ms: round(p99),
      errors: result.errors,
      target_met: targetMet,
      floor_p99_ms: floor ? round(floor.p99) : null,
      floor_p50_ms: floor ? round(floor.p50) : null,
      p99_vs_floor: floor && floor.p99 > 0 ? round(p99 / floor.p99) : null,
      floor_errors: floor ? floor.errors : null,
      floor_rps: floor ? round(floor.rps) : null,
      floor_duration_s: FLOOR_SECONDS,
      floor_body_bytes: floor ? floor.bodyBytes : null,
      p50_ms: round(quantile(result.sorted, 0.5)),
      p90_ms: round(quantile(result.sorted, 0.9)),
      max_ms: round(result.sorted.at(-1) ?? 0),
      requests: result.total,
      target_rps: RPS,
      duration_s: SECONDS,
      connections: CONNECTIONS,
      send_lag_p99_ms: round(quantile(result.lags, 0.99)),
      host_load_1m: round(loadavg()[0] ?? 0),
      store: STORE,
      service_deployed: deployed,
      server_cpu_pct:
        cpuBefore === undefined || cpuAfter === undefined
          ? null
          : round(((cpuAfter - cpuBefore) / (result.elapsedMs / 1000)) * 100),
      routes: byRoute,
    }),
  );
} catch (error) {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
} finally {
  await cleanup();
}
