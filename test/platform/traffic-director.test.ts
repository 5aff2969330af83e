/** Runs the TrafficDirector contract suite against Slipway's router and against HAProxy. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { startHaproxyDirector } from '../../src/platform/edge/haproxy-director.js';
import { startRouterDirector } from '../../src/platform/edge/router-director.js';
import { HAPROXY, skipWithout } from '../helpers/outside-program.js';
import { trafficDirectorContract } from './traffic-director.contract.js';

/** Processes whose command line names `text` (a director's private folder). */
function processesNaming(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(text)) found.push(`process ${pid}: ${cmdline.trim()}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

trafficDirectorContract('router', async () => ({
  director: await startRouterDirector({ holdTimeoutMs: 500 }),
  leftovers: () => [],
}));

const root = join(tmpdir(), 'edge-helper');
mkdirSync(root, { recursive: true });
const stateDir = mkdtempSync(join(root, 'haproxy-director-'));
after(() => rmSync(stateDir, { recursive: true, force: true }));

trafficDirectorContract(
  'haproxy',
  async () => ({
    director: await startHaproxyDirector({ stateDir }),
    leftovers: () => [
      ...readdirSync(stateDir).map((name) => `file ${join(stateDir, name)}`),
      ...processesNaming(stateDir),
    ],
  }),
  { skip: skipWithout(HAPROXY) },
);
