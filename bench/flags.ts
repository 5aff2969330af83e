// bench:flags — OFREP evaluation throughput and latency of Slipway's flag listener.
// A flag set of 100 flags, each with targeting (if/in, starts_with/ends_with, sem_ver, fractional,
// and shared `$evaluators`), is served by createOfrepServer in a child process pinned to one core;
// the load comes from wrk (+ a Lua script cycling through requests) pinned to the other, over
// keep-alive connections. Without /usr/bin/wrk, a bounded Node keep-alive load generator runs in a
// second child process instead (closed loop, same connections, same requests; BENCH_TOOL=node
// forces it); `tool` says which.
// Phases, after a warm-up each, run BENCH_SECONDS (5) at a time in BENCH_ROUNDS (3) alternating
// rounds; each figure is the median over the rounds:
// - single: POST /ofrep/v1/evaluate/flags/{key} cycling over the flags and 64 contexts:
//   single_rps and single_p99_ms at BENCH_CONNECTIONS (16);
// - bulk: POST /ofrep/v1/evaluate/flags (all 100 flags) cycling over the contexts:
//   bulk100_p99_ms (and bulk100_rps) at BENCH_BULK_CONNECTIONS (4);
// - inprocess_evals_per_s: flagd-core evaluating the same flags and contexts in this process
//   (FlagdCore#getFlag(key).evaluate), the floor; engine_evals_per_s is FlagEngine#evaluate.
// server_cpu_us_single / _bulk100 are the server child's CPU time per request over each phase:
// less at the mercy of a busy machine than req/s and p99 (loadavg_1m: the load when measuring).
// http_floor_*: the single phase against plain node:http reading the body and sending a fixed
// answer of the same size (no evaluation), in its own child on the same core: the HTTP floor.
// Prints one JSON line {"bench":"flags","single_rps":..,"single_p99_ms":..,"bulk100_p99_ms":..,
// "inprocess_evals_per_s":..,...}. Targets: single >= 10,000 req/s with p99 < 5 ms, bulk p99 < 5 ms
// (exit 1 when missed). Run: npm run bench:flags. A child mode argument (serve, load) is internal.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { loadavg as osLoadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EvaluationContext } from '@openfeature/core';
import { FlagdCore } from '@openfeature/flagd-core';
import type { FlagDefinition, FlagDocument, JsonValue } from '../src/flags/flag-document.js';
import { FlagEngine } from '../src/flags/flag-engine.js';
import { createOfrepServer } from '../src/flags/ofrep-listener.js';

const FLAGS = 100;
const CONTEXTS = 64;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const BULK_CONNECTIONS = Number(process.env.BENCH_BULK_CONNECTIONS ?? 4);
const TARGET_RPS = 10_000;
const TARGET_P99_MS = 5;
const WRK = '/usr/bin/wrk';
const self = fileURLToPath(import.meta.url);
const log = (line: string) => process.stderr.write(`bench:flags: ${line}\n`);

/** The flag set: 100 flags with targeting, 20 of each kind. */
function benchDocument(): FlagDocument {
  const flags: Record<string, FlagDefinition> = {};
  const countries = ['CA', 'FR', 'DE', 'JP', 'BR', 'IN', 'US', 'GB'];
  for (let i = 0; i < FLAGS; i++) {
    const key = `flag-${String(i).padStart(3, '0')}`;
    switch (i % 5) {
      case 0: // if + in: a country list
        flags[key] = {
          state: 'ENABLED',
          variants: { on: true, off: false },
          defaultVariant: 'off',
          targeting: { if: [{ in: [{ var: 'country' }, countries.slice(0, 2 + (i % 6))] }, 'on', 'off'] },
        };
        break;
      case 1: // starts_with / ends_with on the email
        flags[key] = {
          state: 'ENABLED',
          variants: { staff: 'staff', test: 'test', everyone: 'everyone' },
          defaultVariant: 'everyone',
          targeting: {
            if: [
              { ends_with: [{ var: 'email' }, '@example.com'] },
              'staff',
              { starts_with: [{ var: 'email' }, `qa${i % 3}+`] },
              'test',
              null,
            ],
          },
        };
        break;
      case 2: // sem_ver on the app version
        flags[key] = {
          state: 'ENABLED',
          variants: { new: 2, old: 1 },
          defaultVariant: 'old',
          targeting: {
            if: [
              { sem_ver: [{ var: 'appVersion' }, '>=', `2.${i % 10}.0`] },
              'new',
              { sem_ver: [{ var: 'appVersion' }, '^', '1.0.0'] },
              'old',
              null,
            ],
          },
        };
        break;
      case 3: // fractional, half of them behind an if on the plan
        {
          const split = {
            fractional: [
              ['a', 10 + (i % 50)],
              ['b', 90 - (i % 50)],
            ] as JsonValue,
          };
          flags[key] = {
            state: 'ENABLED',
            variants: { a: 'a', b: 'b' },
            defaultVariant: 'a',
            targeting: i % 2 === 0 ? split : { if: [{ '==': [{ var: 'plan' }, 'pro'] }, split, null] },
          };
        }
        break;
      default: // a shared evaluator and a numeric rule, object variants
        flags[key] = {
          state: 'ENABLED',
          variants: { wide: { columns: 3, dense: false }, narrow: { columns: 1, dense: true } },
          defaultVariant: 'narrow',
          targeting: {
            if: [
              { and: [{ $ref: 'is_staff' }, { '>=': [{ var: 'age' }, 18 + (i % 30)] }] },
              'wide',
              'narrow',
            ],
          },
        };
    }
  }
  return {
    flags,
    $evaluators: { is_staff: { ends_with: [{ var: 'email' }, '@example.com'] } },
    metadata: { flagSetId: 'bench' },
  };
}

/** 64 evaluation contexts: users of every kind the rules look at. */
function benchContexts(): EvaluationContext[] {
  const domains = ['example.com', 'elsewhere.org', 'mail.test'];
  return Array.from({ length: CONTEXTS }, (_, n) => ({
    targetingKey: `user-${n * 7919}`,
    email: n % 5 === 0 ? `qa${n % 3}+${n}@elsewhere.org` : `user${n}@${domains[n % 3]}`,
    country: ['CA', 'FR', 'DE', 'JP', 'BR', 'IN', 'US', 'GB', 'ES'][n % 9]!,
    appVersion: `${1 + (n % 3)}.${n % 10}.${n % 4}`,
    plan: n % 2 === 0 ? 'pro' : 'free',
    age: 16 + ((n * 3) % 40),
  }));
}

/** The single evaluations the load cycles through: flag i % 100 with context (7i) % 64. */
function singleRequests(doc: FlagDocument, contexts: EvaluationContext[]): { path: string; body: string }[] {
  const keys = Object.keys(doc.flags);
  return Array.from({ length: 997 }, (_, i) => ({
    path: `/ofrep/v1/evaluate/flags/${keys[i % keys.length]}`,
    body: JSON.stringify({ context: contexts[(i * 7) % contexts.length] }),
  }));
}

function bulkRequests(contexts: EvaluationContext[]): { path: string; body: string }[] {
  return contexts.map((context) => ({ path: '/ofrep/v1/evaluate/flags', body: JSON.stringify({ context }) }));
}

/** flagd-core evaluating the flags in this process for about `seconds`: evaluations per second. */
function inProcessRate(
  doc: FlagDocument,
  contexts: EvaluationContext[],
  seconds: number,
  engine?: FlagEngine,
): number {
  const quiet = { error() {}, warn() {}, info() {}, debug() {} };
  const core = new FlagdCore(undefined, quiet);
  core.setConfigurations(JSON.stringify(doc));
  const keys = Object.keys(doc.flags);
  const flags = keys.map((key) => core.getFlag(key)!);
  const evaluate = engine
    ? (i: number) => engine.evaluate(keys[i % keys.length]!, contexts[(i * 7) % contexts.length]!)
    : (i: number) => flags[i % flags.length]!.evaluate(contexts[(i * 7) % contexts.length]!, quiet);
  for (let i = 0; i < 20_000; i++) evaluate(i);
  let count = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    for (let j = 0; j < 1000; j++) evaluate(count + j);
    count += 1000;
  }
  return count / ((performance.now() - started) / 1000);
}

interface LoadResult {
  readonly rps: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly errors: number;
}

// ---- wrk ----

function wrkScript(dir: string, name: string, requests: { path: string; body: string }[]): string {
  const file = join(dir, `${name}.lua`);
  const lua = (s: string) => JSON.stringify(s); // a JSON string is a valid Lua string here (ASCII, \" escapes)
  writeFileSync(
    file,
    [
      'local requests = {}',
      'local i = 0',
      'function init(args)',
      '  local headers = { ["Content-Type"] = "application/json" }',
      ...requests.map(
        (r) => `  table.insert(requests, wrk.format("POST", ${lua(r.path)}, headers, ${lua(r.body)}))`,
      ),
      '  i = math.random(#requests) - 1',
      'end',
      'function request()',
      '  i = i % #requests + 1',
      '  return requests[i]',
      'end',
      '',
    ].join('\n'),
  );
  return file;
}

function parseWrkDuration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) return Number.NaN;
  const value = Number(m[1]);
  return { us: value / 1000, ms: value, s: value * 1000, m: value * 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm'];
}

function runWrk(
  url: string,
  script: string,
  connections: number,
  seconds: number,
  cpu: string[],
): LoadResult {
  const args = [...cpu, WRK, '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url];
  const out = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`wrk failed: ${out.stderr || out.stdout}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(out.stdout)?.[1]);
  const p99Ms = parseWrkDuration(/^\s+99%\s+(\S+)/m.exec(out.stdout)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out.stdout)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out.stdout);
  const errors = non2xx + (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0);
  return { rps, p99Ms, requests, errors };
}

// ---- the Node load generator (child mode `load`), when wrk is not installed ----
// Like wrk, it writes prepared HTTP/1.1 requests on raw keep-alive sockets and reads only the
// status and Content-Length of each answer: node:http's client costs far more per request than
// the server it would be measuring. Each connection keeps one request in flight until the end.

async function loadChild(config: {
  url: string;
  file: string;
  connections: number;
  seconds: number;
}): Promise<void> {
  const requests = (JSON.parse(readFileSync(config.file, 'utf8')) as { path: string; body: string }[]).map(
    (r) =>
      Buffer.from(
        `POST ${r.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(r.body)}\r\n\r\n${r.body}`,
      ),
  );
  const target = new URL(config.url);
  const latencies: number[] = [];
  let errors = 0;
  let next = Math.floor(Math.random() * requests.length);
  const started = performance.now();
  const deadline = started + config.seconds * 1000;
  const connection = () =>
    new Promise<void>((resolve) => {
      const socket = connect(Number(target.port), target.hostname);
      socket.setNoDelay(true);
      let pending: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = () => {
        sentAt = performance.now();
        socket.write(requests[next++ % requests.length]!);
      };
      const finish = () => {
        socket.destroy();
        resolve();
      };
      socket.setTimeout(5000, () => {
        errors++;
        finish();
      });
      socket.on('error', () => {
        errors++;
        finish();
      });
      socket.on('connect', send);
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        for (;;) {
          const headEnd = pending.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          const head = pending.subarray(0, headEnd).toString('latin1');
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (pending.length < headEnd + 4 + length) return;
          pending = pending.subarray(headEnd + 4 + length);
          latencies.push(performance.now() - sentAt);
          if (head.slice(9, 12) !== '200') errors++;
          if (performance.now() < deadline) send();
          else return finish();
        }
      });
    });
  await Promise.all(Array.from({ length: config.connections }, connection));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const p99Ms =
    latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)] ?? Number.NaN;
  process.stdout.write(
    `${JSON.stringify({ rps: latencies.length / elapsed, p99Ms, requests: latencies.length, errors })}\n`,
  );
}

async function runNodeLoad(
  url: string,
  file: string,
  connections: number,
  seconds: number,
  cpu: string[],
): Promise<LoadResult> {
  const config = JSON.stringify({ url, file, connections, seconds });
  const args = [...cpu, process.execPath, '--import', 'tsx', self, 'load', config];
  const child = track(spawn(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] }));
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return JSON.parse(out) as LoadResult;
}

// ---- the server (child mode `serve`) ----

/** A single answer's worth of JSON, what the HTTP floor server sends for every request. */
const FLOOR_ANSWER =
  '{"key":"flag-000","value":true,"reason":"TARGETING_MATCH","variant":"on","metadata":{"flagSetId":"bench"}}';

function serveChild(file: string, kind: string): void {
  const document = JSON.parse(readFileSync(file, 'utf8')) as FlagDocument;
  const engine = new FlagEngine({ version: 1, document });
  // The floor: node:http reading the body and sending a fixed answer, no evaluation.
  const server =
    kind === 'floor'
      ? createServer((req, res) => {
          req.on('data', () => {});
          req.on('end', () => {
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': FLOOR_ANSWER.length });
            res.end(FLOOR_ANSWER);
          });
        })
      : createOfrepServer(() => engine);
  let requests = 0;
  server.on('request', () => {
    requests++;
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
  // A line on stdin asks for the CPU time used and the requests served so far.
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', () => {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`cpu ${user + system} ${requests}\n`);
  });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

const children = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** The OFREP server child, its URL, and a probe of the CPU time it has used and the requests it has served. */
interface Served {
  readonly url: string;
  cpu(): Promise<{ cpuUs: number; requests: number }>;
  stop(): void;
}

async function startServer(file: string, cpu: string[], kind: 'ofrep' | 'floor'): Promise<Served> {
  const args = [...cpu, process.execPath, '--import', 'tsx', self, 'serve', file, kind];
  const child = track(spawn(args[0]!, args.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] }));
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('the OFREP server did not start within 30 s')), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const m = /listening (\d+)/.exec(buffer);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`the OFREP server exited with ${code}`)));
  });
  const probe = () =>
    new Promise<{ cpuUs: number; requests: number }>((resolve) => {
      let buffer = '';
      const onData = (chunk: Buffer) => {
        buffer += chunk.toString();
        const m = /cpu (\d+) (\d+)/.exec(buffer);
        if (!m) return;
        child.stdout!.off('data', onData);
        resolve({ cpuUs: Number(m[1]), requests: Number(m[2]) });
      };
      child.stdout!.on('data', onData);
      child.stdin!.write('cpu\n');
    });
  return { url: `http://127.0.0.1:${port}`, cpu: probe, stop: () => child.kill('SIGTERM') };
}

/** The served answers must be the in-process engine's: a bench of wrong answers measures nothing. */
async function checkAnswers(
  url: string,
  engine: FlagEngine,
  requests: { path: string; body: string }[],
): Promise<void> {
  for (const r of requests.slice(0, 200)) {
    const response = await fetch(`${url}${r.path}`, { method: 'POST', body: r.body });
    const served = await response.json();
    const key = decodeURIComponent(r.path.slice('/ofrep/v1/evaluate/flags/'.length));
    const expected = engine.evaluate(key, (JSON.parse(r.body) as { context: EvaluationContext }).context);
    if (response.status !== expected.status || JSON.stringify(served) !== JSON.stringify(expected.body))
      throw new Error(
        `${r.path} answered ${JSON.stringify(served)}, expected ${JSON.stringify(expected.body)}`,
      );
  }
  const reasons = new Set(
    requests.map((r) => {
      const key = r.path.slice('/ofrep/v1/evaluate/flags/'.length);
      return (
        engine.evaluate(key, (JSON.parse(r.body) as { context: EvaluationContext }).context).body as {
          reason?: string;
        }
      ).reason;
    }),
  );
  log(`answers checked; reasons in the load: ${[...reasons].sort().join(', ')}`);
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** A phase over its rounds: the median of each figure, and every error. */
interface Summary {
  readonly rps: number;
  readonly p99Ms: number;
  readonly cpuUs: number;
  readonly errors: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-flags-'));
  process.on('exit', () => {
    killChildren();
    rmSync(dir, { recursive: true, force: true });
  });
  const doc = benchDocument();
  const contexts = benchContexts();
  const docFile = join(dir, 'flags.json');
  writeFileSync(docFile, JSON.stringify(doc));
  const single = singleRequests(doc, contexts);
  const bulk = bulkRequests(contexts);
  const engine = new FlagEngine({ version: 1, document: doc });

  log(`in-process floor: flagd-core evaluating ${FLAGS} flags over ${CONTEXTS} contexts`);
  const floor = inProcessRate(doc, contexts, 2);
  const engineRate = inProcessRate(doc, contexts, 2, engine);
  log(`  flagd-core ${Math.round(floor)} evaluations/s, FlagEngine ${Math.round(engineRate)} evaluations/s`);

  const taskset = existsSync('/usr/bin/taskset') ? '/usr/bin/taskset' : undefined;
  const serverCpu = taskset ? [taskset, '-c', '0'] : [];
  const loadCpu = taskset ? [taskset, '-c', '1'] : [];
  if (!taskset) log('taskset is not installed: server and load generator are not pinned to a core each');
  const served = await startServer(docFile, serverCpu, 'ofrep');
  await checkAnswers(served.url, engine, single);

  const tool = existsSync(WRK) && process.env.BENCH_TOOL !== 'node' ? 'wrk' : 'node';
  if (tool === 'node')
    log(
      existsSync(WRK)
        ? 'BENCH_TOOL=node: using the Node keep-alive load generator'
        : `${WRK} is not installed (apt-get install wrk): using the Node keep-alive load generator`,
    );
  const load = async (
    server: Served,
    name: string,
    requests: { path: string; body: string }[],
    connections: number,
    seconds: number,
  ) => {
    if (tool === 'wrk')
      return runWrk(server.url, wrkScript(dir, name, requests), connections, seconds, loadCpu);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(requests));
    return runNodeLoad(server.url, file, connections, seconds, loadCpu);
  };

  /** One measured run, with the server's CPU time per request over it. */
  const measure = async (
    server: Served,
    name: string,
    requests: { path: string; body: string }[],
    connections: number,
  ) => {
    const before = await server.cpu();
    const result = await load(server, name, requests, connections, SECONDS);
    const after = await server.cpu();
    const cpuUs = (after.cpuUs - before.cpuUs) / Math.max(1, after.requests - before.requests);
    log(
      `  ${name}: ${Math.round(result.rps)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, ${result.requests} requests, ` +
        `${result.errors} errors (${connections} connections); server CPU ${cpuUs.toFixed(1)} µs per request`,
    );
    return { ...result, cpuUs };
  };
  const floorServer = await startServer(docFile, serverCpu, 'floor');
  const phases = [
    { server: served, name: 'single', requests: single, connections: CONNECTIONS },
    { server: served, name: 'bulk', requests: bulk, connections: BULK_CONNECTIONS },
    { server: floorServer, name: 'http-floor', requests: single, connections: CONNECTIONS },
  ] as const;
  for (const p of phases) await load(p.server, p.name, p.requests, p.connections, WARMUP_SECONDS);
  const loadavg = round(osLoadavg()[0] ?? 0, 2);
  // Rounds alternate the phases, so a neighbour busy for a while weighs on all of them alike.
  const runs: Awaited<ReturnType<typeof measure>>[][] = phases.map(() => []);
  for (let roundNo = 1; roundNo <= ROUNDS; roundNo++) {
    log(`round ${roundNo} of ${ROUNDS}`);
    for (const [i, p] of phases.entries())
      runs[i]!.push(await measure(p.server, p.name, p.requests, p.connections));
  }
  served.stop();
  floorServer.stop();
  const [s, b, h] = runs.map((r) => ({
    rps: median(r.map((x) => x.rps)),
    p99Ms: median(r.map((x) => x.p99Ms)),
    cpuUs: median(r.map((x) => x.cpuUs)),
    errors: r.reduce((sum, x) => sum + x.errors, 0),
  })) as [Summary, Summary, Summary];

  const errors = s.errors + b.errors;
  const met = s.rps >= TARGET_RPS && s.p99Ms < TARGET_P99_MS && b.p99Ms < TARGET_P99_MS && errors === 0;
  log(
    `targets ${met ? 'met' : 'missed'} (single >= ${TARGET_RPS} req/s with p99 < ${TARGET_P99_MS} ms, bulk p99 < ${TARGET_P99_MS} ms, no error)`,
  );
  if (!met) process.exitCode = 1;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'flags',
      single_rps: Math.round(s.rps),
      single_p99_ms: round(s.p99Ms, 3),
      bulk100_p99_ms: round(b.p99Ms, 3),
      inprocess_evals_per_s: Math.round(floor),
      bulk100_rps: Math.round(b.rps),
      engine_evals_per_s: Math.round(engineRate),
      server_cpu_us_single: round(s.cpuUs, 1),
      server_cpu_us_bulk100: round(b.cpuUs, 1),
      http_floor_rps: Math.round(h.rps),
      http_floor_p99_ms: round(h.p99Ms, 3),
      http_floor_cpu_us: round(h.cpuUs, 1),
      flags: FLAGS,
      contexts: CONTEXTS,
      connections: CONNECTIONS,
      bulk_connections: BULK_CONNECTIONS,
      duration_s: SECONDS,
      rounds: ROUNDS,
      errors,
      tool,
      pinned: taskset !== undefined,
      loadavg_1m: loadavg,
    })}\n`,
  );
}

const mode = process.argv[2];
if (mode === 'serve') serveChild(process.argv[3]!, process.argv[4] ?? 'ofrep');
else if (mode === 'load') await loadChild(JSON.parse(process.argv[3]!));
else {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      killChildren();
      process.exit(130);
    });
  await main().catch((error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    killChildren();
    process.exitCode = 1;
  });
  killChildren();
}
