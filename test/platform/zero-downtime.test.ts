/**
 * Under continuous load through the agent's router, 50 times in a row: bring up a new revision,
 * split traffic, move all of it, and drain and stop the old instance. No request may fail.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, test } from 'node:test';
import { fixtureService, localPlatform, tempProject } from './helpers.js';

const CHANGES = 50;
const CLIENTS = 4;

test('50 weight changes and instance replacements under load: zero failed requests', {
  timeout: 240_000,
}, async () => {
  const project = tempProject();
  const { platform, close } = localPlatform(project.stateDir);
  after(async () => {
    await close();
    project.cleanup();
  });
  const ref = { service: 'web', env: 'zero' };
  const deployRevision = async (n: number) => {
    const service = fixtureService({ instances: 1, env: { VERSION: `v${n}` } });
    const revision = await platform.createRevision({ service, baseDir: project.dir });
    await platform.scale(ref, revision.id, 1);
    const ready = await platform.waitReady(ref, revision.id, 1, 20_000);
    assert.equal(ready.status, 'ready', JSON.stringify(ready));
    return revision.id;
  };
  const { url } = await platform.ensureService(ref, {});
  const { port } = new URL(url as string);
  let current = await deployRevision(0);
  await platform.setTraffic(ref, { weights: { [current]: 100 } });

  const stats = { ok: 0, failed: 0, errors: [] as string[] };
  let running = true;
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) stats.ok++;
          else {
            stats.failed++;
            stats.errors.push(`status ${res.statusCode}`);
          }
          resolve();
        });
        res.on('error', (error) => {
          stats.failed++;
          stats.errors.push(error.message);
          resolve();
        });
      });
      req.on('error', (error) => {
        stats.failed++;
        stats.errors.push(error.message);
        resolve();
      });
      req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
      req.end();
    });
  const deadline = Date.now() + 200_000;
  const clients = Array.from({ length: CLIENTS }, async () => {
    while (running && Date.now() < deadline) await once();
  });

  for (let n = 1; n <= CHANGES; n++) {
    const next = await deployRevision(n);
    await platform.setTraffic(ref, { weights: { [current]: 50, [next]: 50 } });
    await platform.setTraffic(ref, { weights: { [current]: 0, [next]: 100 } });
    await platform.scale(ref, current, 0);
    current = next;
  }
  running = false;
  await Promise.all(clients);
  agent.destroy();
  assert.ok(stats.ok > CHANGES * 10, `requests served: ${stats.ok}`);
  assert.equal(stats.failed, 0, `failed requests: ${stats.errors.slice(0, 5).join('; ')}`);
  // The last old revision is forgotten once its instance has drained and stopped.
  let revisions: [string, number][] = [];
  for (let i = 0; i < 100; i++) {
    revisions = ((await platform.status(ref))?.revisions ?? []).map((r) => [r.id, r.weight]);
    if (revisions.length === 1) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(revisions, [[current, 100]]);
});
