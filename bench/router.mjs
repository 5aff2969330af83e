// bench:router — peak throughput and added latency of the Slipway router against HAProxy.
// Starts two instances of examples/hello, the router (bench/router-host.mjs, its own process) and,
// if installed, HAProxy (leastconn, http-reuse always, nbthread 1) in front of the same two; then
// measures with wrk: peak req/s (direct to instance 1 only, router, haproxy) and p99 latency at
// half the router's peak rate (direct, router, haproxy). Progress goes to stderr; stdout gets one
// JSON line: {"bench":"router","direct_rps":..,"router_rps":..,"haproxy_rps":..,...}.
// Needs `npm run build` first, plus the Debian packages wrk and (optionally) haproxy.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const PEAK_SECONDS = Number(process.env.BENCH_PEAK_SECONDS ?? 5);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PEAK_CONNECTIONS = 32;
const MEAN_DELAY_MS = 10;

const children = new Set();
const tmp = mkdtempSync(join(tmpdir(), 'slipway-bench-router-'));
const log = (message) => process.stderr.write(`bench:router: ${message}\n`);

function killAll() {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

function which(command) {
  const out = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function start(command, args, env = {}) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  child.on('exit', (code, signal) => {
    if (children.has(child) && code !== 0 && signal !== 'SIGKILL' && signal !== 'SIGTERM') {
      log(`${command} exited (${code ?? signal}): ${stderr.trim()}`);
    }
  });
  return child;
}

/** Resolves with the first stdout line matching `pattern`. */
function waitForLine(child, pattern, what) {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 15 s`)), 15_000);
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const match = pattern.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready`));
    });
  });
}

async function waitForPort(port, what) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} is not accepting connections on ${port}`);
}

function parseDuration(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return { us: value / 1000, ms: value, s: value * 1000, m: value * 60_000 }[match[2]];
}

/** Runs wrk and returns { rps, p99, errors }. */
function wrk(url, { connections, seconds, script }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  if (script) args.push('-s', script);
  const out = spawnSync('wrk', [...args, url], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`wrk failed: ${out.stderr || out.stdout}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1]);
  const p99 = parseDuration(/^\s+99%\s+(\S+)/m.exec(out.stdout)?.[1] ?? '');
  const errors = /Socket errors:.*|Non-2xx or 3xx responses: \d+/.exec(out.stdout)?.[0];
  if (errors) log(`  ${url}: ${errors}`);
  return { rps, p99 };
}

/** Starts HAProxy in the foreground in front of `backends`, comparable with single-threaded Node. */
async function startHaproxy(haproxyPath, backends) {
  const port = await freePort();
  const config = join(tmp, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  nbthread 1',
      '  maxconn 4096',
      'defaults',
      '  mode http',
      '  option http-keep-alive',
      '  timeout connect 5s',
      '  timeout client 60s',
      '  timeout server 60s',
      'frontend bench',
      `  bind 127.0.0.1:${port}`,
      '  default_backend hello',
      'backend hello',
      '  balance leastconn',
      '  http-reuse always',
      ...backends.map((address, i) => `  server s${i + 1} ${address}`),
      '',
    ].join('\n'),
  );
  start(haproxyPath, ['-db', '-f', config]);
  await waitForPort(port, 'haproxy');
  return port;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (n, digits = 2) =>
  n === null || !Number.isFinite(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits;

async function main() {
  if (!existsSync(join(root, 'dist/router/router.js')))
    throw new Error('dist/router/router.js is missing: run `npm run build`');
  if (!existsSync(join(root, 'examples/hello/dist/server.js'))) {
    log('building examples/hello');
    const built = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/hello'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (built.status !== 0) throw new Error('building examples/hello failed');
  }
  const wrkPath = which('wrk');
  const haproxyPath = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : which('haproxy');

  const backendPorts = [await freePort(), await freePort()];
  for (const port of backendPorts) {
    const child = start(process.execPath, ['examples/hello/dist/server.js'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_VERSION: 'bench',
    });
    await waitForLine(child, /listening on/, `hello on ${port}`);
  }
  const backends = backendPorts.map((port) => `127.0.0.1:${port}`);
  log(`hello instances on ${backends.join(', ')}`);

  const routerHost = start(process.execPath, ['bench/router-host.mjs', '0', backends.join(',')]);
  const routerPort = Number((await waitForLine(routerHost, /\{"port":(\d+)\}/, 'router-host'))[1]);
  log(`router on 127.0.0.1:${routerPort} (pid ${routerHost.pid})`);

  let haproxyPort = null;
  if (haproxyPath) {
    try {
      haproxyPort = await startHaproxy(haproxyPath, backends);
      log(`haproxy on 127.0.0.1:${haproxyPort}`);
    } catch (error) {
      log(`haproxy did not start (${error.message}): haproxy figures are null`);
      haproxyPort = null;
    }
  } else log('haproxy is not installed: haproxy figures are null');

  const result = {
    bench: 'router',
    direct_rps: null,
    router_rps: null,
    haproxy_rps: null,
    router_vs_haproxy: null,
    router_p99_ms: null,
    haproxy_p99_ms: null,
    direct_p99_ms: null,
    router_added_p99_ms: null,
    rate_rps: null,
  };
  if (!wrkPath) {
    process.stderr.write('bench:router: wrk is not installed (apt-get install wrk): every figure is null\n');
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }

  const targets = {
    direct: `http://127.0.0.1:${backendPorts[0]}/`,
    router: `http://127.0.0.1:${routerPort}/`,
    ...(haproxyPort ? { haproxy: `http://127.0.0.1:${haproxyPort}/` } : {}),
  };
  for (const [name, url] of Object.entries(targets)) {
    log(`warming up ${name}`);
    wrk(url, { connections: PEAK_CONNECTIONS, seconds: 2 });
  }

  // Rounds interleave the targets so that noise on the machine hits all of them alike.
  const peaks = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
  for (let roundNo = 1; roundNo <= ROUNDS; roundNo++) {
    for (const [name, url] of Object.entries(targets)) {
      const { rps } = wrk(url, { connections: PEAK_CONNECTIONS, seconds: PEAK_SECONDS });
      peaks[name].push(rps);
      log(`peak round ${roundNo} ${name}: ${Math.round(rps)} req/s`);
    }
  }
  result.direct_rps = round(median(peaks.direct), 0);
  result.router_rps = round(median(peaks.router), 0);
  result.haproxy_rps = haproxyPort ? round(median(peaks.haproxy), 0) : null;
  result.router_vs_haproxy = result.haproxy_rps ? round(result.router_rps / result.haproxy_rps, 3) : null;

  // wrk 4 has no rate limit: each connection waits delay() ms (random, mean MEAN_DELAY_MS) after
  // each response, so connections * 1000 / MEAN_DELAY_MS requests per second go out.
  const targetRate = result.router_rps / 2;
  const connections = Math.max(1, Math.round((targetRate * MEAN_DELAY_MS) / 1000));
  const script = join(tmp, 'rate.lua');
  writeFileSync(
    script,
    `math.randomseed(os.time())\nfunction delay()\n  return math.random(1, ${2 * MEAN_DELAY_MS - 1})\nend\n`,
  );
  log(`p99 at ~${Math.round(targetRate)} req/s: ${connections} connections, mean delay ${MEAN_DELAY_MS} ms`);
  const p99s = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
  const rates = [];
  for (let roundNo = 1; roundNo <= ROUNDS; roundNo++) {
    for (const [name, url] of Object.entries(targets)) {
      const { rps, p99 } = wrk(url, { connections, seconds: RATE_SECONDS, script });
      p99s[name].push(p99);
      if (name === 'router') rates.push(rps);
      log(`rate round ${roundNo} ${name}: ${Math.round(rps)} req/s, p99 ${p99} ms`);
    }
  }
  result.rate_rps = round(median(rates), 0);
  result.direct_p99_ms = round(median(p99s.direct), 3);
  result.router_p99_ms = round(median(p99s.router), 3);
  result.haproxy_p99_ms = haproxyPort ? round(median(p99s.haproxy), 3) : null;
  result.router_added_p99_ms = round(result.router_p99_ms - result.direct_p99_ms, 3);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => {
    killAll();
    process.exit(0);
  },
  (error) => {
    log(`failed: ${error.stack ?? error}`);
    killAll();
    process.exit(1);
  },
);
