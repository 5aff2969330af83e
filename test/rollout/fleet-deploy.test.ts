// Fleet deploys over three regions of two in-process hosts each, a real SQLite store and a fake
// clock: waves in order with their offsets, a failing wave stopping the rest and sending regions
// back (all of them or only its own), an unreachable host failing its wave before any host
// changes, the fleet.* event trail, and a second deploy of the same revision changing nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fleetScopes } from '../../src/rollout/fleet/fleet-waves.js';
import { activeRollout } from '../../src/rollout/rollout-service.js';
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
        ['fleet.wave.started', 'us-east'],
        ['fleet.wave.completed', 'us-east'],
        ['fleet.wave.started', 'eu-west'],
        ['fleet.wave.completed', 'eu-west'],
        ['fleet.wave.started', 'ap-south'],
        ['fleet.wave.completed', 'ap-south'],
        ['fleet.completed', null],
      ],
    );
    const at = (type: string, region: string) =>
      events.find((e) => e.type === type && e.data.region === region)?.time ?? Number.NaN;
    assert.equal(at('fleet.wave.started', 'us-east'), startedAt);
    // The canary holds 2 s, so the first wave ends after the second wave's 500 ms offset.
    assert.ok(at('fleet.wave.completed', 'us-east') - startedAt >= 2_000);
    assert.ok(at('fleet.wave.started', 'eu-west') >= at('fleet.wave.completed', 'us-east'));
    assert.ok(at('fleet.wave.completed', 'eu-west') - startedAt < 60_000, 'the second wave ends early');
    assert.equal(at('fleet.wave.started', 'ap-south'), startedAt + 60_000, 'the third waits for its offset');
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
    for (const host of REGIONS['ap-south'] ?? [])
      assert.equal(await h.hosts.get(host)?.findRevision('web', outcome.revision ?? ''), undefined, host);
    const events = (await h.fleetEvents()).slice(since);
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'fleet.started',
        'fleet.wave.started',
        'fleet.wave.completed',
        'fleet.wave.started',
        'fleet.wave.failed',
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
    const failed = (await h.fleetEvents()).find((e) => e.type === 'fleet.wave.failed');
    assert.match(String(failed?.data.reason), /euw-b/);
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
