// A region of two in-process hosts behind one Platform: revisions made on every host first, state
// merged over the hosts, metrics summed, and every host error naming its host.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfigText } from '../../src/config/load-config.js';
import type { ResolvedService } from '../../src/config/resolved.js';
import { PlatformError } from '../../src/platform/errors.js';
import type { Platform, Revision } from '../../src/platform/platform.js';
import { FleetError } from '../../src/rollout/fleet/fleet-errors.js';
import { parseScope, RegionPlatform, regionScope } from '../../src/rollout/fleet/region-platform.js';
import { recordLatency } from '../../src/router/histogram.js';
import { createRevisionMetrics } from '../../src/router/metrics.js';
import { createMemoryPlatform, type MemoryPlatform } from '../helpers/memory-platform.js';

const SCOPED = { service: 'web', env: 'prod@eu' };
const HOST_REF = { service: 'web', env: 'prod' };

function fixtureService(version: string): ResolvedService {
  const { config } = loadConfigText(`services:
  web:
    run: node server.mjs
    instances: 2
    env: { VERSION: ${version} }
    shutdown: { drain: 0s, timeout: 1s }
`);
  if (!config?.services.web) throw new Error('the fixture service did not load');
  return config.services.web;
}

/** `platform` with some methods replaced. */
function overriding(platform: Platform, overrides: Partial<Platform>): Platform {
  return new Proxy(platform, {
    get(target, property, receiver) {
      const own = (overrides as Record<string | symbol, unknown>)[property];
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

test('a scope is the environment and region joined by @, and parses back', () => {
  assert.equal(regionScope('prod', 'eu-west'), 'prod@eu-west');
  assert.deepEqual(parseScope('prod@eu-west'), { env: 'prod', region: 'eu-west' });
  assert.deepEqual(parseScope('prod'), { env: 'prod' });
});

test('a region without hosts is refused', () => {
  assert.throws(
    () => new RegionPlatform('eu', []),
    (e: unknown) => e instanceof FleetError && e.code === 'NO_HOSTS',
  );
});

describe('RegionPlatform over two hosts', { timeout: 30_000 }, () => {
  let dir: string;
  let a: MemoryPlatform;
  let b: MemoryPlatform;
  let region: RegionPlatform;
  let v1: Revision;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-region-'));
    await writeFile(join(dir, 'server.mjs'), '// served by the memory platform\n');
    a = createMemoryPlatform();
    b = createMemoryPlatform();
    region = new RegionPlatform('eu', [
      { name: 'eu-a', platform: a },
      { name: 'eu-b', platform: b },
    ]);
    v1 = await region.createRevision({ service: fixtureService('v1'), baseDir: dir });
    await region.ensureService(SCOPED, {});
    await region.scale(SCOPED, v1.id, 2);
    const ready = await region.waitReady(SCOPED, v1.id, 2, 5_000);
    assert.deepEqual(ready, { status: 'ready', ready: 2 });
    await region.setTraffic(SCOPED, { weights: { [v1.id]: 100 }, roles: { stable: v1.id } });
  });
  after(async () => {
    // Removing first sets every count to zero, so that no instance draining now is replaced later.
    await region.remove(SCOPED);
    await a.close();
    await b.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('every host runs the full instance count under the plain environment; status counts per host', async () => {
    for (const host of [a, b]) {
      const status = await host.status(HOST_REF);
      assert.deepEqual(
        status?.revisions.map((r) => [r.id, r.desired, r.weight]),
        [[v1.id, 2, 100]],
      );
      assert.equal(await host.status(SCOPED), undefined, 'hosts never see the scope');
    }
    const merged = await region.status(SCOPED);
    assert.equal(merged?.env, 'prod@eu');
    assert.deepEqual(
      merged?.revisions.map((r) => [r.id, r.desired, r.ready, r.weight, r.role]),
      [[v1.id, 2, 2, 100, 'stable']],
      'counts per host, as scale takes them',
    );
    assert.equal(merged?.instances.length, 4, 'the instances of both hosts');
    assert.deepEqual(
      [...new Set(merged?.instances.map((i) => i.id.split('/')[0]))],
      ['eu-a', 'eu-b'],
      'instance ids name their host',
    );
    assert.equal(merged?.url, (await a.status(HOST_REF))?.url);
    const listed = await region.list();
    assert.deepEqual(
      listed.map((s) => [s.service, s.env, s.revisions[0]?.desired]),
      [['web', 'prod@eu', 2]],
    );
    const health = await region.health(SCOPED);
    assert.equal(health.healthy, true);
    assert.equal(health.instances.length, 4);
  });

  test('metrics of the region sum both hosts, latency histograms included', async () => {
    const latency = createRevisionMetrics().latency;
    recordLatency(latency, 12);
    a.setMetrics(HOST_REF, v1.id, { requests: 100, status5xx: 2, connectionErrors: 1, latency });
    b.setMetrics(HOST_REF, v1.id, { requests: 50, status5xx: 30 });
    const snapshot = await region.metrics(SCOPED);
    const m = snapshot.revisions[v1.id];
    assert.deepEqual([m?.requests, m?.status5xx, m?.connectionErrors, m?.latency.count], [150, 32, 1, 1]);
    assert.equal(m?.latency.sumMs, 12);
  });

  test('createRevision runs on every host; a host that throws is named, its code and cause kept', async () => {
    const cause = new PlatformError('SOURCE_NOT_FOUND', 'no such directory');
    const calls: string[] = [];
    const broken = new RegionPlatform('eu', [
      {
        name: 'eu-a',
        platform: overriding(a, {
          createRevision: async (input) => {
            calls.push('a');
            return a.createRevision(input);
          },
        }),
      },
      { name: 'eu-b', platform: overriding(b, { createRevision: async () => Promise.reject(cause) }) },
    ]);
    await assert.rejects(
      broken.createRevision({ service: fixtureService('v2'), baseDir: dir }),
      (e: unknown) => {
        assert.ok(e instanceof FleetError);
        assert.equal(e.host, 'eu-b');
        assert.equal(e.code, 'SOURCE_NOT_FOUND');
        assert.equal(e.kind, 'not_found');
        assert.equal(e.cause, cause);
        assert.match(e.message, /^host eu-b: no such directory/);
        return true;
      },
    );
    assert.deepEqual(calls, ['a']);
    const plain = new RegionPlatform('eu', [
      { name: 'eu-a', platform: a },
      {
        name: 'eu-b',
        platform: overriding(b, { status: async () => Promise.reject(new Error('ECONNREFUSED')) }),
      },
    ]);
    await assert.rejects(plain.status(SCOPED), (e: unknown) => {
      assert.ok(e instanceof FleetError);
      assert.deepEqual(
        [e.code, e.kind, e.message],
        ['HOST_FAILED', 'unavailable', 'host eu-b: ECONNREFUSED'],
      );
      return true;
    });
  });

  test('hosts that make different revisions are refused', async () => {
    const odd = new RegionPlatform('eu', [
      { name: 'eu-a', platform: a },
      {
        name: 'eu-b',
        platform: overriding(b, { createRevision: async () => ({ ...v1, id: 'r-000000000000' }) }),
      },
    ]);
    await assert.rejects(
      odd.createRevision({ service: fixtureService('v1'), baseDir: dir }),
      (e: unknown) => e instanceof FleetError && e.code === 'REVISION_MISMATCH' && /eu-b/.test(e.message),
    );
  });

  test('scaling a revision a host lacks fails naming the host; waitReady reports the host that is not ready', async () => {
    const v2 = await a.createRevision({ service: fixtureService('v2'), baseDir: dir });
    await assert.rejects(region.scale(SCOPED, v2.id, 1), (e: unknown) => {
      assert.ok(e instanceof FleetError);
      assert.deepEqual([e.code, e.host], ['REVISION_NOT_FOUND', 'eu-b']);
      assert.ok(e.cause instanceof PlatformError);
      return true;
    });
    assert.equal(await region.findRevision('web', v2.id), undefined, 'not every host has it');
    const ready = await region.waitReady(SCOPED, v2.id, 1, 300);
    assert.notEqual(ready.status, 'ready');
    assert.match(ready.status === 'ready' ? '' : ready.message, /^host eu-b: /);
    const lagging = await region.status(SCOPED);
    assert.deepEqual(
      lagging?.revisions.map((r) => [r.id, r.desired]),
      [
        [v1.id, 2],
        [v2.id, 0],
      ],
      'a revision only one host runs counts as not running in the region',
    );
    await a.scale(HOST_REF, v2.id, 0);
  });
});
