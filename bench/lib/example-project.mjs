// Shared by the rollout benches: a temp copy of the example app, the CLI, and steady load.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'slipway.js');

/** Copies examples/hello to a temp dir and compiles it; returns helpers bound to it. */
export function exampleProject() {
  // Compiled where its type definitions resolve (dist/ is not committed), then copied with it.
  const example = join(ROOT, 'examples', 'hello');
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', example],
    {
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) throw new Error('cannot compile the example app');
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  cpSync(example, dir, { recursive: true, filter: (src) => !/[/\\](node_modules|\.slipway)$/.test(src) });
  const env = { ...process.env, NO_COLOR: '1', SLIPWAY_ACTOR: 'bench' };
  return {
    dir,
    write: (yaml) => writeFileSync(join(dir, 'slipway.yaml'), yaml),
    /** Runs the CLI without blocking this process (the load keeps going). */
    run: (...args) =>
      new Promise((resolvePromise) => {
        const child = spawn(process.execPath, [BIN, ...args], {
          cwd: dir,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c) => {
          stdout += c;
        });
        child.stderr.on('data', (c) => {
          stderr += c;
        });
        child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
      }),
    cleanup: () => {
      spawnSync(process.execPath, [BIN, 'agent', 'stop'], { cwd: dir, env, timeout: 60_000 });
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The service block of the benches' slipway.yaml. */
export function serviceYaml(version, extraEnv = '') {
  return `version: 1
services:
  hello:
    run: node dist/server.js
    source: .
    instances: 2
    env: { APP_VERSION: "${version}"${extraEnv} }
    health:
      readiness: { http: /healthz, period: 200ms, timeout: 300ms }
    shutdown: { drain: 2s, timeout: 5s }
`;
}

/** Keep-alive clients looping GET / until stopped; counts every response and error with its time. */
export function steadyLoad(url, clients = 8) {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const stats = {
    requests: 0,
    failed: 0,
    firstBadAt: undefined,
    lastBadAt: undefined,
    badAfter: [],
    errors: [],
  };
  let running = true;
  const bad = (what) => {
    stats.failed++;
    const now = performance.now();
    stats.firstBadAt ??= now;
    stats.lastBadAt = now;
    if (stats.errors.length < 5) stats.errors.push(what);
  };
  const once = () =>
    new Promise((done) => {
      const req = request({ host: hostname, port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          stats.requests++;
          if (res.statusCode !== 200) bad(`status ${res.statusCode}`);
          done();
        });
        res.on('error', (e) => {
          stats.requests++;
          bad(e.message);
          done();
        });
      });
      req.on('error', (e) => {
        stats.requests++;
        bad(e.message);
        done();
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.end();
    });
  const deadline = Date.now() + 30 * 60_000;
  const loops = Array.from({ length: clients }, async () => {
    while (running && Date.now() < deadline) {
      await once();
      await new Promise((r) => setTimeout(r, 1));
    }
  });
  return {
    stats,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return stats;
    },
  };
}

/** The URL `slipway deploy` printed. */
export function urlOf(stdout) {
  const match = /serves \S+ at (http:\/\/\S+)/.exec(stdout);
  if (!match) throw new Error(`deploy printed no URL:\n${stdout}`);
  return match[1];
}
