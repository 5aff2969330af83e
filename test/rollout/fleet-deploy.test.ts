// Fleet deploys over three regions of two in-process hosts each, a real SQLite store and a fake
// clock: waves in order with their offsets, a failing wave stopping the rest and sending regions
// back (all of them or only its own), an unreachable host failing its wave before any host
// changes, the later regions given the revision while wave 1 runs (a failure there surfacing only
// in their own wave), the fleet.* event trail, and a second deploy of the same revision changing nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fleetScopes } from '../../src/rollout/fleet/fleet-waves.js';
import { activeRollout } from '../../src/rollout/rollout-service.js';
import type { MemoryPlatform } from '../helpers/memory-platform.js';
import { type FleetHarness, fleetHarness, INSTANCES, REGIONS } from './fleet-harness.js';

const HOSTS = Object.values(REGIONS).flat();

describe('deployFleet', { timeout: 60_000 }, () => {
  let h: FleetHarness;
  let v1: string;
  beforeEach(async () => {
    h = await fleetHarness();
    const first = await h.deploy('v1', h.fleet([0, 0, 0], 'all'));
    assert.equal(first.status, 'completed', first.reason);
    assert.ok(first.revision);
    v1 = first.revision;
  });
  afterEach(async () => {
    await h.close();
  });

  test('a first deploy brings every region up, each host running the full instance count', async () => {
    for (const host of HOSTS) {
      assert.deepEqual(await h.weights(host), { [v1]: 100 }, host);
      assert.deepEqual(await h.desired(host), { [v1]: INSTANCES }, host);
    }
    const merged = await h.region('eu-west').status({ service: 'web', env: 'prod@eu-west' });
    assert.equal(merged?.revisions.find((r) => r.id === v1)?.desired, INSTANCES, 'per host');
    assert.equal(merged?.instances.length, 2 * INSTANCES, 'the instances of both hosts');
  });

  test('waves run in order, each at its offset and never before the wave before it completes', async () => {
    const since = (await h.fleetEvents()).length;
    const startedAt = h.clock.now();
    const outcome = await h.deploy('v2', h.fleet([0, 500, 60_000], 'all'));
    assert.equal(outcome.status, 'completed', outcome.reason);
    assert.deepEqual(
      outcome.regions.map((r) => [r.region, r.status, r.before]),
      [
        ['us-east', 'completed', v1],
        ['eu-west', 'completed', v1],
        ['ap-south', 'completed', v1],
      ],
    );
    assert.ok(outcome.revision && outcome.revision !== v1);
    for (const host of HOSTS) {
      assert.deepEqual(await h.weights(host), { [outcome.revision]: 100 }, host);
      assert.deepEqual(await h.desired(host), { [outcome.revision]: INSTANCES }, host);
    }
    const events = (await h.fleetEvents()).slice(since);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.region ?? null]),
      [
        ['fleet.started', null],
        ['fleetwave.started', 'us-east'],
        ['fleetwave.completed', 'us-east'],
        ['fleetwave.started', 'eu-west'],
        ['fleetwave.completed', 'eu-west'],
        ['fleetwave.started', 'ap-south'],
        ['fleetwave.completed', 'ap-south'],
        ['fleet.completed', null],
      ],
    );
    const at = (type: string, region: string) =>
      events.find((e) => e.type === type && e.data.region === region)?.time ?? Number.NaN;
    assert.equal(at('fleetwave.started', 'us-east'), startedAt);
    // The canary holds 2 s, so the first wave ends after the second wave's 500 ms offset.
    assert.ok(at('fleetwave.completed', 'us-east') - startedAt >= 2_000);
    assert.ok(at('fleetwave.started', 'eu-west') >= at('fleetwave.completed', 'us-east'));
    assert.ok(at('fleetwave.completed', 'eu-west') - startedAt < 60_000, 'the second wave ends early');
    assert.equal(at('fleetwave.started', 'ap-south'), startedAt + 60_000, 'the third waits for its offset');
    assert.equal(events[0]?.data.fleet, outcome.id);
  });

  test('the hooks run once per fleet deploy: preDeploy in the first wave only, postDeploy in the last only', async () => {
    const log = join(h.dir, 'hooks.log');
    const hooks = {
      preDeploy: `echo "pre $SLIPWAY_SERVICE $SLIPWAY_ENV $SLIPWAY_REGION" >> ${log}`,
      postDeploy: `echo "post $SLIPWAY_SERVICE $SLIPWAY_ENV $SLIPWAY_REGION" >> ${log}`,
    };
    const outcome = await h.deploy('v3', h.fleet([0, 0, 0], 'all'), h.config('v3', hooks));
    assert.equal(outcome.status, 'completed', outcome.reason);
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
      'pre web prod us-east',
      'post web prod ap-south',
    ]);
  });

  test('a failed analysis in wave 2 stops wave 3; with rollback all, waves 1 and 2 end on the old revision', async () => {
    h.traffic('euw-a', 100, 0, v1);
    h.traffic('euw-b', 100, 60, v1);
    const since = (await h.fleetEvents()).length;
    const outcome = await h.deploy('v3', h.fleet([0, 0, 0], 'all'));
    assert.equal(outcome.status, 'failed');
    assert.deepEqual(
      outcome.regions.map((r) => [r.region, r.status]),
      [
        ['us-east', 'reverted'],
        ['eu-west', 'rolled_back'],
        ['ap-south', 'skipped'],
      ],
    );
    assert.match(outcome.reason ?? '', /eu-west/);
    for (const host of HOSTS) {
      assert.deepEqual(await h.weights(host), { [v1]: 100 }, host);
      assert.deepEqual(await h.desired(host), { [v1]: INSTANCES }, host);
    }
    // The skipped region got the revision staged while wave 1 ran, and runs nothing of it.
    for (const host of REGIONS['ap-south'] ?? []) {
      assert.ok(await h.hosts.get(host)?.findRevision('web', outcome.revision ?? ''), host);
      const status = await h.hosts.get(host)?.status({ service: 'web', env: 'prod' });
      assert.equal(
        status?.revisions.some((r) => r.id === outcome.revision),
        false,
        host,
      );
    }
    const events = (await h.fleetEvents()).slice(since);
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'fleet.started',
        'fleetwave.started',
        'fleetwave.completed',
        'fleetwave.started',
        'fleetwave.failed',
        'fleet.failed',
      ],
    );
    assert.match(String(events[4]?.data.reason), /error_rate/);
    for (const { scope } of fleetScopes('prod', h.fleet([0, 0, 0], 'all')))
      assert.equal(await activeRollout(h.store, { service: 'web', env: scope }), undefined, scope);
  });

  test('with rollback region, only the failing region goes back', async () => {
    h.traffic('euw-b', 100, 60, v1);
    const outcome = await h.deploy('v3', h.fleet([0, 0, 0], 'region'));
    assert.equal(outcome.status, 'failed');
    assert.deepEqual(
      outcome.regions.map((r) => r.status),
      ['completed', 'rolled_back', 'skipped'],
    );
    const v3 = outcome.revision ?? '';
    for (const host of REGIONS['us-east'] ?? []) assert.deepEqual(await h.weights(host), { [v3]: 100 });
    for (const host of [...(REGIONS['eu-west'] ?? []), ...(REGIONS['ap-south'] ?? [])])
      assert.deepEqual(await h.weights(host), { [v1]: 100 }, host);
  });

  test('a host whose createRevision throws fails its wave, names the host and leaves its peer unchanged', async () => {
    h.breakHost('euw-b', new Error('ssh: connect to host euw-b port 22: Connection refused'));
    const before = await h.hosts.get('euw-a')?.status({ service: 'web', env: 'prod' });
    const outcome = await h.deploy('v4', h.fleet([0, 0, 0], 'all'));
    assert.equal(outcome.status, 'failed');
    const euWest = outcome.regions[1];
    assert.equal(euWest?.status, 'failed');
    assert.match(euWest?.error ?? '', /host euw-b: ssh: connect to host euw-b/);
    assert.equal(euWest?.rollout, undefined, 'no rollout was started in the region');
    assert.deepEqual(
      outcome.regions.map((r) => r.status),
      ['reverted', 'failed', 'skipped'],
    );
    const after = await h.hosts.get('euw-a')?.status({ service: 'web', env: 'prod' });
    assert.deepEqual(after?.revisions, before?.revisions, 'the reachable host of the region is unchanged');
    for (const host of HOSTS) assert.deepEqual(await h.weights(host), { [v1]: 100 }, host);
    const failed = (await h.fleetEvents()).find((e) => e.type === 'fleetwave.failed');
    assert.match(String(failed?.data.reason), /euw-b/);
  });

  test("the later regions are given the revision once wave 1's instances are ready, while wave 1 runs", async () => {
    const calls = new Map<string, number[]>();
    const order: string[] = [];
    const first = h.hosts.get('use-a') as MemoryPlatform;
    const waitReady = first.waitReady.bind(first);
    first.waitReady = async (...args) => {
      const ready = await waitReady(...args);
      order.push('use-a ready');
      return ready;
    };
    for (const host of ['use-a', 'euw-a', 'aps-a']) {
      const platform = h.hosts.get(host) as MemoryPlatform;
      const create = platform.createRevision.bind(platform);
      platform.createRevision = async (input) => {
        calls.set(host, [...(calls.get(host) ?? []), h.clock.now()]);
        order.push(`${host} asked`);
        return create(input);
      };
    }
    const since = (await h.fleetEvents()).length;
    const outcome = await h.deploy('v3', h.fleet([0, 0, 0], 'all'));
    assert.equal(outcome.status, 'completed', outcome.reason);
    const events = (await h.fleetEvents()).slice(since);
    const startedAt = events[0]?.time ?? Number.NaN;
    const firstDone = events.find((e) => e.type === 'fleetwave.completed')?.time ?? Number.NaN;
    assert.ok(firstDone - startedAt >= 2_000, 'wave 1 holds its canary stage');
    // The wave asks for it while it reads what its hosts serve, and its deploy again (a host platform
    // joins the second ask to the first).
    assert.deepEqual(calls.get('use-a'), [startedAt, startedAt], 'wave 1 makes it at once');
    for (const host of ['euw-a', 'aps-a']) {
      assert.equal(calls.get(host)?.[0], startedAt, `${host} is staged before wave 1's steps`);
      assert.ok((calls.get(host)?.[1] ?? 0) >= firstDone, `${host}'s own wave comes after wave 1`);
    }
    const staged = order.indexOf('euw-a asked');
    assert.equal(order[0], 'use-a asked', 'wave 1 makes the revision first');
    assert.ok(
      staged > order.indexOf('use-a ready') && order.indexOf('use-a ready') > 0,
      `staging starts once wave 1's new instances are ready: ${order.join(', ')}`,
    );
    assert.ok(order.indexOf('aps-a asked') > order.indexOf('use-a ready'));
  });

  test('a first wave that cannot make the revision stages nothing in the later regions', async () => {
    const later = ['euw-a', 'euw-b', 'aps-a', 'aps-b'];
    let staged = 0;
    for (const host of later) {
      const platform = h.hosts.get(host) as MemoryPlatform;
      const create = platform.createRevision.bind(platform);
      platform.createRevision = (input) => {
        staged++;
        return create(input);
      };
    }
    h.breakHost('use-b', new Error('connection timed out'));
    const outcome = await h.deploy('v3', h.fleet([0, 0, 0], 'all'));
    assert.equal(outcome.status, 'failed');
    assert.deepEqual(
      outcome.regions.map((r) => r.status),
      ['failed', 'skipped', 'skipped'],
    );
    assert.equal(staged, 0);
  });

  test('a host failing while staged fails only at its own wave, naming the host', async () => {
    h.breakHost('aps-b', new Error('ssh: connect to host aps-b port 22: No route to host'));
    const since = (await h.fleetEvents()).length;
    const outcome = await h.deploy('v3', h.fleet([0, 0, 0], 'all'));
    assert.equal(outcome.status, 'failed');
    assert.deepEqual(
      outcome.regions.map((r) => [r.region, r.status]),
      [
        ['us-east', 'reverted'],
        ['eu-west', 'reverted'],
        ['ap-south', 'failed'],
      ],
    );
    assert.match(outcome.regions[2]?.error ?? '', /^host aps-b: ssh: connect to host aps-b/);
    assert.equal(outcome.regions[2]?.rollout, undefined, 'no rollout was started in the region');
    const events = (await h.fleetEvents()).slice(since);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.region ?? null]),
      [
        ['fleet.started', null],
        ['fleetwave.started', 'us-east'],
        ['fleetwave.completed', 'us-east'],
        ['fleetwave.started', 'eu-west'],
        ['fleetwave.completed', 'eu-west'],
        ['fleetwave.started', 'ap-south'],
        ['fleetwave.failed', 'ap-south'],
        ['fleet.failed', 'ap-south'],
      ],
    );
    assert.match(String(events[6]?.data.reason), /aps-b/);
    for (const host of HOSTS) assert.deepEqual(await h.weights(host), { [v1]: 100 }, host);
  });

  test('a host failing only while staged is tried again by its wave, which completes', async () => {
    h.breakHost('aps-b', new Error('ssh: connect to host aps-b port 22: Connection timed out'));
    const healed = h.clock.sleep(1_000).then(() => h.heal('aps-b'));
    const outcome = await h.deploy('v3', h.fleet([0, 0, 0], 'all'));
    await healed;
    assert.equal(outcome.status, 'completed', outcome.reason);
    assert.deepEqual(
      outcome.regions.map((r) => r.status),
      ['completed', 'completed', 'completed'],
    );
    for (const host of HOSTS)
      assert.deepEqual(await h.weights(host), { [outcome.revision ?? '']: 100 }, host);
  });

  test('a second deploy of the same revision is unchanged everywhere and starts no rollout', async () => {
    const rollouts = (await h.store.listRollouts({ limit: 100 })).length;
    const outcome = await h.deploy('v1', h.fleet([0, 1_000, 2_000], 'all'));
    assert.equal(outcome.status, 'completed');
    assert.equal(outcome.revision, v1);
    assert.deepEqual(
      outcome.regions.map((r) => [r.status, r.rollout]),
      [
        ['unchanged', undefined],
        ['unchanged', undefined],
        ['unchanged', undefined],
      ],
    );
    assert.equal((await h.store.listRollouts({ limit: 100 })).length, rollouts);
  });
});

describe('deployFleet into empty regions', { timeout: 30_000 }, () => {
  test('a first deploy failing in wave 2 removes the service from wave 1, which served nothing before', async () => {
    const h = await fleetHarness();
    try {
      h.breakHost('euw-a', new Error('connection timed out'));
      const outcome = await h.deploy('v1', h.fleet([0, 0, 0], 'all'));
      assert.equal(outcome.status, 'failed');
      assert.deepEqual(
        outcome.regions.map((r) => [r.region, r.status, r.before]),
        [
          ['us-east', 'reverted', null],
          ['eu-west', 'failed', null],
          ['ap-south', 'skipped', undefined],
        ],
      );
      for (const host of REGIONS['us-east'] ?? [])
        assert.equal(await h.hosts.get(host)?.status({ service: 'web', env: 'prod' }), undefined, host);
      for (const host of [...(REGIONS['eu-west'] ?? []), ...(REGIONS['ap-south'] ?? [])])
        assert.equal(await h.hosts.get(host)?.status({ service: 'web', env: 'prod' }), undefined, host);
      assert.match(outcome.regions[1]?.error ?? '', /^host euw-a: connection timed out/);
    } finally {
      await h.close();
    }
  });
});
