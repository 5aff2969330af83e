// The pure side of fleet deploys on plain data: region scopes, wave start times, what a failure
// sends back; and acting on every region scope of a fleet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResolvedFleet } from '../../config/resolved.js';
import { actOnRegions } from './fleet-deploy.js';
import { FleetError } from './fleet-errors.js';
import { fleetScopes, type RegionDeployResult, regionsToRevert, waveStartAt } from './fleet-waves.js';

const FLEET: ResolvedFleet = {
  regions: { 'us-east': ['a', 'b'], 'eu-west': ['c'], 'ap-south': ['d'] },
  waves: [
    { region: 'us-east', offsetMs: 0, traffic: 0.5 },
    { region: 'eu-west', offsetMs: 60_000, traffic: 0.25 },
    { region: 'ap-south', offsetMs: 120_000, traffic: 0.25 },
  ],
  failover: { strategy: 'manual', healthThreshold: 0.9, switchoverMs: 30_000 },
  rollback: 'all',
};

test('the scopes of a fleet follow the waves; one region can be picked, an unknown one is a usage error', () => {
  assert.deepEqual(fleetScopes('prod', FLEET), [
    { region: 'us-east', scope: 'prod@us-east' },
    { region: 'eu-west', scope: 'prod@eu-west' },
    { region: 'ap-south', scope: 'prod@ap-south' },
  ]);
  assert.deepEqual(fleetScopes('prod', FLEET, 'eu-west'), [{ region: 'eu-west', scope: 'prod@eu-west' }]);
  assert.throws(
    () => fleetScopes('prod', FLEET, 'mars'),
    (e: unknown) =>
      e instanceof FleetError &&
      e.code === 'REGION_UNKNOWN' &&
      e.kind === 'usage' &&
      /us-east, eu-west, ap-south/.test(e.message),
  );
});

test('a wave starts at its offset, or when the wave before it completed if that is later', () => {
  assert.equal(waveStartAt(1000, 0), 1000);
  assert.equal(waveStartAt(1000, 500, 1200), 1500);
  assert.equal(waveStartAt(1000, 500, 9000), 9000);
});

test('after a failure, rollback all sends back the completed regions latest first; region sends none', () => {
  const results: RegionDeployResult[] = [
    { region: 'us-east', scope: 'prod@us-east', status: 'completed' },
    { region: 'eu-west', scope: 'prod@eu-west', status: 'unchanged' },
    { region: 'ap-south', scope: 'prod@ap-south', status: 'completed' },
    { region: 'sa-east', scope: 'prod@sa-east', status: 'rolled_back' },
  ];
  assert.deepEqual(
    regionsToRevert('all', results).map((r) => r.region),
    ['ap-south', 'us-east'],
  );
  assert.deepEqual(regionsToRevert('region', results), []);
});

test('acting on a fleet reaches every region scope in wave order and collects each failure', async () => {
  const seen: string[] = [];
  const results = await actOnRegions('prod', FLEET, undefined, async ({ scope }) => {
    seen.push(scope);
    if (scope === 'prod@eu-west') throw new Error('no rollout in progress');
    return scope.length;
  });
  assert.deepEqual(seen, ['prod@us-east', 'prod@eu-west', 'prod@ap-south']);
  assert.deepEqual(
    results.map((r) => [r.region, r.status]),
    [
      ['us-east', 'done'],
      ['eu-west', 'failed'],
      ['ap-south', 'done'],
    ],
  );
  const one = await actOnRegions('prod', FLEET, 'ap-south', async ({ region }) => region);
  assert.deepEqual(one, [{ region: 'ap-south', scope: 'prod@ap-south', status: 'done', value: 'ap-south' }]);
});
