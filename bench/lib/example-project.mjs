// Shared by the rollout benches: a temp copy of the example app, the CLI, and steady load.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { systemClock } from '../../dist/rollout/rollout-clock.js';
import { steadyTraffic } from '../../dist/rollout/steady-traffic.js';

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

/** Eight keep-alive clients looping GET / (the same traffic the demo and the tests use). */
export function steadyLoad(url, clients = 8) {
  return steadyTraffic(url, { clock: systemClock(), clients, pauseMs: 1, maxMs: 30 * 60_000 });
}

/** The URL `slipway deploy` printed. */
export function urlOf(stdout) {
  const match = /serves \S+ at (http:\/\/\S+)/.exec(stdout);
  if (!match) throw new Error(`deploy printed no URL:\n${stdout}`);
  return match[1];
}
