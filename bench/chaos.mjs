// Under steady load, deploys of the example app (canary, blue-green, rolling in turn) during which
// the agent, the router process and the deploying CLI are killed with SIGKILL; a killed deploy is
// continued with `deploy --resume`. Prints one JSON line: kills, requests, failed, the longest time
// without a successful response, and the requests in flight when router processes were killed.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { exampleProject, ROOT, serviceYaml, urlOf } from './lib/example-project.mjs';

const BIN = join(ROOT, 'bin', 'slipway.js');
const KILLS_EACH = 10;
const MAX_ROUNDS = 30;
const MAX_MS = 4 * 60_000;
const CLIENTS = 8;
const STRATEGIES = {
  canary: `canary:
        stages:
          - { traffic: 20, duration: 1s }
          - { traffic: 50, duration: 1s }
          - { traffic: 100 }
        metrics: [error_rate]`,
  blueGreen: 'blueGreen: { switchover: instant, scaleDownDelay: 1s }',
  rolling: 'rolling: { batchSize: 1, maxSurge: 1, maxUnavailable: 0 }',
};
const ORDER = ['canary', 'blueGreen', 'rolling'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function yaml(version, strategy) {
  return `${serviceYaml(version)}environments:
  bench:
    strategy:
      ${STRATEGIES[strategy]}
    analysis: { interval: 200ms, minRequests: 5, failureLimit: 0, inconclusiveLimit: 1000 }
`;
}

/** The CLI as a child process, so that it can be killed; `done` resolves its exit status and output. */
function cli(dir, ...args) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', SLIPWAY_ACTOR: 'bench' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const done = new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
  return { child, done };
}

/** Keep-alive clients looping GET / with no pause: counts, failures, in-flight requests and the longest gap. */
function load(url) {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const stats = { requests: 0, failed: 0, errors: [], maxGapMs: 0, inFlight: 0 };
  let lastOk = performance.now();
  let running = true;
  const deadline = Date.now() + MAX_MS + 60_000;
  const once = () =>
    new Promise((resolve) => {
      stats.inFlight++;
      const done = (error) => {
        stats.inFlight--;
        stats.requests++;
        if (error) {
          stats.failed++;
          if (stats.errors.length < 10) stats.errors.push(error);
        } else {
          const now = performance.now();
          stats.maxGapMs = Math.max(stats.maxGapMs, now - lastOk);
          lastOk = now;
        }
        resolve();
      };
      const req = request({ host: hostname, port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode === 200 ? undefined : `status ${res.statusCode}`));
        res.on('error', (error) => done(error.message));
      });
      req.on('error', (error) => done(error.message));
      req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
      req.end();
    });
  const loops = Array.from({ length: CLIENTS }, async () => {
    while (running && Date.now() < deadline) await once();
  });
  return {
    stats,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      stats.maxGapMs = Math.max(stats.maxGapMs, performance.now() - lastOk);
      return stats;
    },
  };
}

/** The live pid in an agent pid file (`pid starttime`), or undefined. */
function pidFrom(file) {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim().split(' ')[0]);
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** The router process among the supervisor's children (found in /proc). */
function routerPid(supervisorPid) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (ppid === supervisorPid && argv[argv.indexOf('--role') + 1] === 'router') return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** The body of GET / on a fresh connection. */
function body(url) {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve(text));
    });
    req.on('error', (error) => resolve(error.message));
    req.end();
  });
}

const project = exampleProject();
const agentDir = join(project.dir, '.slipway', 'agent');
const kills = { agent: 0, router: 0, controller: 0 };
let inFlightAtRouterKills = 0;
let rollouts = 0;
try {
  project.write(yaml('v0', 'rolling'));
  const first = await cli(project.dir, 'deploy', 'hello', '--env', 'bench').done;
  if (first.status !== 0) throw new Error(`first deploy failed:\n${first.output}`);
  const url = urlOf(first.output);
  const traffic = load(url);
  const started = Date.now();
  for (let round = 1; round <= MAX_ROUNDS && Date.now() - started < MAX_MS; round++) {
    if (Object.values(kills).every((n) => n >= KILLS_EACH) && round > ORDER.length) break;
    const strategy = ORDER[(round - 1) % ORDER.length];
    const version = `v${round}`;
    project.write(yaml(version, strategy));
    const deploy = cli(project.dir, 'deploy', 'hello', '--env', 'bench');
    let exited = false;
    void deploy.done.then(() => {
      exited = true;
    });
    await sleep(400);
    const agentPid = pidFrom(join(agentDir, 'agent.pid'));
    if (agentPid) {
      process.kill(agentPid, 'SIGKILL');
      kills.agent++;
    }
    await sleep(900);
    const supervisor = pidFrom(join(agentDir, 'supervisor.pid'));
    const router = supervisor && routerPid(supervisor);
    if (router) {
      inFlightAtRouterKills += traffic.stats.inFlight;
      process.kill(router, 'SIGKILL');
      kills.router++;
    }
    await sleep(300);
    let result;
    if (!exited) {
      deploy.child.kill('SIGKILL');
      kills.controller++;
      await deploy.done;
      result = await cli(project.dir, 'deploy', 'hello', '--env', 'bench', '--resume').done;
      // Killed before its rollout was recorded (or right after it ended): deploy again.
      if (result.status !== 0 && /no rollout in progress/.test(result.output)) {
        result = await cli(project.dir, 'deploy', 'hello', '--env', 'bench').done;
      }
    } else result = await deploy.done;
    if (result.status !== 0)
      throw new Error(`rollout ${round} (${strategy}) did not converge:\n${result.output}`);
    const served = await body(url);
    if (!served.includes(version)) throw new Error(`rollout ${round} completed but serves: ${served}`);
    rollouts++;
    process.stderr.write(
      `round ${round} ${strategy}: converged; kills ${JSON.stringify(kills)}; ${traffic.stats.requests} requests, ${traffic.stats.failed} failed\n`,
    );
    // The agent killed this round must be back before the next one is killed.
    await sleep(500);
  }
  const stats = await traffic.stop();
  if (stats.errors.length) process.stderr.write(`first failures: ${stats.errors.join('; ')}\n`);
  console.log(
    JSON.stringify({
      bench: 'chaos',
      kills,
      rollouts,
      requests: stats.requests,
      failed: stats.failed,
      max_gap_ms: Math.round(stats.maxGapMs),
      in_flight_at_router_kills: inFlightAtRouterKills,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    }),
  );
} finally {
  project.cleanup();
}
