import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServiceStatus } from '../platform/platform.js';
import { type DesiredApp, type LiveApp, planReconcile, type ReconcileOptions } from './reconcile-plan.js';

const WANT: DesiredApp = { service: 'web', env: 'prod', revision: 'r-new', instances: 2 };
const OFF = { prune: false, selfHeal: false };

/** web in prod serving `weights`, each revision with `desired` instances, all ready unless told. */
function running(weights: Record<string, number>, desired = 2, ready = desired): ServiceStatus {
  const revisions = Object.entries(weights).map(([id, weight]) => ({ id, weight, desired, ready }));
  return {
    service: 'web',
    env: 'prod',
    sticky: false,
    revisions,
    instances: revisions.flatMap((r) =>
      Array.from({ length: r.desired }, (_, i) => ({
        id: `${r.id}-${i}`,
        revision: r.id,
        phase: i < r.ready ? ('running' as const) : ('starting' as const),
        ready: i < r.ready,
        restarts: 0,
      })),
    ),
  };
}

const plan = (live: LiveApp | undefined, options: ReconcileOptions = OFF) =>
  planReconcile([WANT], live ? [live] : [], options)[0];

describe('planReconcile', () => {
  test('nothing running: Missing, OutOfSync, synced', () => {
    assert.deepEqual(plan(undefined), {
      service: 'web',
      env: 'prod',
      revision: 'r-new',
      orphan: false,
      sync: 'OutOfSync',
      health: 'Missing',
      diff: ['not running; wants r-new with 2 instances'],
      action: { kind: 'sync', revision: 'r-new' },
    });
  });

  test('the desired revision alone at its count: Synced and Healthy, nothing to do', () => {
    const state = plan({ service: 'web', env: 'prod', status: running({ 'r-new': 100 }) });
    assert.equal(state?.sync, 'Synced');
    assert.equal(state?.health, 'Healthy');
    assert.deepEqual(state?.action, { kind: 'none' });
  });

  test('a new commit: OutOfSync with the revision diff, and a sync through the rollout', () => {
    const state = plan({ service: 'web', env: 'prod', status: running({ 'r-old': 100 }) });
    assert.deepEqual(state?.diff, ['revision: r-old 100% -> r-new 100%']);
    assert.deepEqual(state?.action, { kind: 'sync', revision: 'r-new' });
    assert.equal(state?.live, 'r-old');
  });

  test('a sync that ended rolled back waits for a new commit unless forced', () => {
    const live: LiveApp = {
      service: 'web',
      env: 'prod',
      status: running({ 'r-old': 100 }),
      rollout: { revision: 'r-new', phase: 'rolled_back' },
    };
    const state = plan(live);
    assert.equal(state?.health, 'Degraded');
    assert.equal(state?.action.kind, 'wait');
    assert.deepEqual(plan(live, { ...OFF, force: true })?.action, {
      kind: 'sync',
      revision: 'r-new',
    });
  });

  test('drift from the applied revision is healed only with selfHeal', () => {
    const live: LiveApp = {
      service: 'web',
      env: 'prod',
      status: running({ 'r-old': 100 }),
      rollout: { revision: 'r-old', phase: 'completed' },
    };
    const applied = { 'web/prod': 'r-new' };
    assert.equal(plan(live, { ...OFF, applied })?.action.kind, 'wait');
    assert.deepEqual(plan(live, { prune: false, selfHeal: true, applied })?.action, {
      kind: 'heal',
      revision: 'r-new',
    });
    const scaled = plan(
      { service: 'web', env: 'prod', status: running({ 'r-new': 100 }, 1) },
      {
        prune: false,
        selfHeal: true,
        applied,
      },
    );
    assert.deepEqual(scaled?.diff, ['instances of r-new: 1 -> 2']);
    assert.equal(scaled?.action.kind, 'heal');
  });

  test('a running rollout is left alone: to the desired revision it is Synced and Progressing', () => {
    const status = running({ 'r-old': 80, 'r-new': 20 });
    const toDesired = plan({
      service: 'web',
      env: 'prod',
      status,
      rollout: { revision: 'r-new', phase: 'running' },
    });
    assert.deepEqual(
      [toDesired?.sync, toDesired?.health, toDesired?.action.kind],
      ['Synced', 'Progressing', 'none'],
    );
    const paused = plan({
      service: 'web',
      env: 'prod',
      status,
      rollout: { revision: 'r-new', phase: 'paused' },
    });
    assert.equal(paused?.health, 'Suspended');
    const other = plan({
      service: 'web',
      env: 'prod',
      status,
      rollout: { revision: 'r-x', phase: 'running' },
    });
    assert.deepEqual([other?.sync, other?.action.kind], ['OutOfSync', 'wait']);
  });

  test('fewer ready instances than desired is Degraded, or Progressing while they start', () => {
    const degraded = running({ 'r-new': 100 });
    const broken = {
      ...degraded,
      revisions: degraded.revisions.map((r) => ({ ...r, ready: 1 })),
      instances: degraded.instances.map((i, n) =>
        n === 0 ? i : { ...i, ready: false, phase: 'crashed' as const },
      ),
    } as ServiceStatus;
    assert.equal(plan({ service: 'web', env: 'prod', status: broken })?.health, 'Degraded');
    assert.equal(
      plan({ service: 'web', env: 'prod', status: running({ 'r-new': 100 }, 2, 1) })?.health,
      'Progressing',
    );
  });

  test('what runs but is not desired is an orphan, pruned only with prune', () => {
    const live: LiveApp[] = [
      { service: 'old', env: 'prod', status: { ...running({ 'r-1': 100 }), service: 'old' } },
    ];
    const [kept] = planReconcile([], live, OFF);
    assert.deepEqual([kept?.orphan, kept?.sync, kept?.action.kind], [true, 'OutOfSync', 'none']);
    const [pruned] = planReconcile([], live, { prune: true, selfHeal: false });
    assert.equal(pruned?.action.kind, 'prune');
  });
});
