/** Runs the Platform contract suite against the memory platform, and checks what it adds for tests. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createMemoryPlatform } from '../helpers/memory-platform.js';
import { fixtureService, get, tempProject } from './helpers.js';
import { platformContract } from './platform-contract.js';

platformContract('memory', async () => {
  const project = tempProject();
  const platform = createMemoryPlatform();
  return {
    platform,
    baseDir: project.dir,
    service: fixtureService,
    localServices: '127.0.0.1',
    close: async () => {
      await platform.close();
      project.cleanup();
    },
  };
});

describe('memory platform extras', () => {
  const project = tempProject();
  let now = Date.parse('2030-01-02T03:04:05.000Z');
  const platform = createMemoryPlatform({
    clock: { now: () => now },
    publicUrl: (ref) => `http://${ref.env}.${ref.service}.test`,
  });
  after(async () => {
    await platform.close();
    project.cleanup();
  });
  const ref = { service: 'web', env: 'extras' };

  test('dates and snapshots come from the clock; status shows the public URL', async () => {
    const revision = await platform.createRevision({ service: fixtureService(), baseDir: project.dir });
    assert.equal(revision.createdAt, '2030-01-02T03:04:05.000Z');
    const status = await platform.ensureService(ref, {});
    assert.equal(status.url, 'http://extras.web.test');
    now += 5000;
    assert.equal((await platform.metrics(ref)).at, now);
  });

  test('setMetrics replaces what the router measured for one revision; the others stay measured', async () => {
    const service = fixtureService({ instances: 1 });
    const revision = await platform.createRevision({ service, baseDir: project.dir });
    await platform.scale(ref, revision.id, 1);
    assert.equal((await platform.waitReady(ref, revision.id, 1, 5000)).status, 'ready');
    await platform.setTraffic(ref, { weights: { [revision.id]: 100 } });
    const url = platform.routerUrl(ref);
    assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    for (let i = 0; i < 3; i++) assert.match((await get(`${url}/`)).body, /^hello v1/);

    platform.setMetrics(ref, 'r-aaaaaaaaaaaa', { requests: 40, status5xx: 3 });
    const metrics = await platform.metrics(ref);
    assert.equal(metrics.revisions[revision.id]?.requests, 3, 'measured by the router');
    const set = metrics.revisions['r-aaaaaaaaaaaa'];
    assert.deepEqual(
      [set?.requests, set?.status5xx, set?.connectionErrors, set?.latency.count],
      [40, 3, 0, 0],
    );

    platform.setMetrics(ref, revision.id, { requests: 90 });
    assert.equal((await platform.metrics(ref)).revisions[revision.id]?.requests, 90);
    await platform.remove(ref);
  });
});
