/** Builders for platform tests: temp projects holding the fixture app, services, and a local platform. */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ResolvedProbe, ResolvedService } from '../../src/config/resolved.js';
import { LocalPlatform } from '../../src/platform/local/local-platform.js';
import { processStartTime } from '../../src/process/process-identity.js';

/** The repository root (tests run from it). */
export const ROOT = resolve(import.meta.dirname, '..', '..');
/** How tests start an agent: the built CLI. */
export const AGENT_COMMAND = [process.execPath, join(ROOT, 'bin', 'slipway.js')];

/** A temp project whose `app/` holds the fixture service. */
export function tempProject(): { dir: string; stateDir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-platform-'));
  cpSync(join(ROOT, 'test', 'platform', 'fixtures', 'app'), join(dir, 'app'), { recursive: true });
  return {
    dir,
    stateDir: join(dir, '.slipway'),
    cleanup: () => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }),
  };
}

/** A readiness probe on /healthz checked often. */
export const FAST_READINESS: ResolvedProbe = {
  kind: 'http',
  path: '/healthz',
  initialDelayMs: 0,
  periodMs: 200,
  timeoutMs: 300,
  successThreshold: 1,
  failureThreshold: 2,
};

/** The fixture service, resolved, with overrides. */
export function fixtureService(overrides: Partial<ResolvedService> = {}): ResolvedService {
  return {
    id: 'web',
    run: 'node server.mjs',
    source: 'app',
    instances: 2,
    env: { VERSION: 'v1' },
    readiness: FAST_READINESS,
    shutdown: { drainMs: 2000, timeoutMs: 3000 },
    dependencies: [],
    path: ['services', 'web'],
    ...overrides,
  };
}

/** A local platform over a fresh agent for the project; `close` stops the agent and every instance. */
export function localPlatform(stateDir: string): { platform: LocalPlatform; close: () => Promise<void> } {
  const platform = new LocalPlatform({ stateDir, agentCommand: AGENT_COMMAND });
  return {
    platform,
    close: async () => {
      await platform.client.tryCall('POST', '/v1/shutdown', { keepInstances: false });
      const deadline = Date.now() + 20_000;
      while (existsSync(platform.client.paths.socket) && Date.now() < deadline) await sleep(25);
    },
  };
}

/** GET a URL; resolves status, body and headers (never throws: a network error is status 0). */
export async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
    return { status: res.status, body: await res.text(), headers: res.headers };
  } catch (error) {
    return { status: 0, body: String((error as Error).cause ?? error), headers: new Headers() };
  }
}

/** True while a process runs (a zombie waiting for its parent to reap it does not count). */
export function alive(pid: number): boolean {
  return processStartTime(pid) !== undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The pid of the router process a supervisor runs (found in /proc), or undefined. */
export function routerPid(supervisorPid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== supervisorPid) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('--role') && argv[argv.indexOf('--role') + 1] === 'router') return Number(entry);
    } catch {
      // The process ended while it was being read.
    }
  }
  return undefined;
}
