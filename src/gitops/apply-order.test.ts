import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AppliedAction, applyInOrder } from './apply-order.js';
import type { DesiredState } from './desired-state.js';
import type { AppState } from './reconcile-plan.js';

const desired = {
  config: {
    services: {
      db: {},
      queue: {},
      api: { dependsOn: ['db', 'queue'] },
      web: { dependsOn: ['api'] },
      docs: {},
    },
  },
} as unknown as DesiredState;

const app = (service: string, kind: 'sync' | 'prune' | 'none' = 'sync'): AppState => ({
  service,
  env: 'prod',
  sync: kind === 'none' ? 'Synced' : 'OutOfSync',
  health: 'Healthy',
  revision: `r-${service}`,
  diff: [],
  orphan: kind === 'prune',
  action:
    kind === 'sync'
      ? { kind: 'sync', revision: `r-${service}` }
      : kind === 'prune'
        ? { kind: 'prune' }
        : { kind: 'none' },
});

/** Applies with a short delay, recording starts, ends and the most at once. */
function recorder(fail: ReadonlySet<string> = new Set()) {
  const log: string[] = [];
  let running = 0;
  let most = 0;
  const apply = async (a: AppState): Promise<AppliedAction> => {
    running++;
    most = Math.max(most, running);
    log.push(`start ${a.service}`);
    await new Promise((r) => setTimeout(r, 10));
    running--;
    log.push(`end ${a.service}`);
    const action = a.action.kind === 'prune' ? 'prune' : 'sync';
    return {
      service: a.service,
      env: a.env,
      action,
      status: fail.has(a.service) ? 'rolled_back' : 'completed',
    };
  };
  return { log, apply, most: () => most };
}

test('dependsOn orders the syncs level by level, up to `parallel` at once, prunes last', async () => {
  const r = recorder();
  const planned = [app('web'), app('api'), app('db'), app('queue'), app('docs'), app('old', 'prune')];
  const results = await applyInOrder(planned, desired, 2, r.apply);
  const at = (what: string) => r.log.indexOf(what);
  assert.ok(at('start api') > at('end db') && at('start api') > at('end queue'), r.log.join(', '));
  assert.ok(at('start web') > at('end api'), r.log.join(', '));
  assert.ok(at('start old') > at('end web'), 'prunes come last');
  assert.equal(r.most(), 2, 'never more than `parallel` at once');
  assert.deepEqual(
    results.map((x) => [x.service, x.status]),
    [
      ['db', 'completed'],
      ['queue', 'completed'],
      ['docs', 'completed'],
      ['api', 'completed'],
      ['web', 'completed'],
      ['old', 'completed'],
    ],
  );
});

test('a service whose dependency failed is blocked, and so are the ones after it', async () => {
  const r = recorder(new Set(['db']));
  const results = await applyInOrder([app('web'), app('api'), app('db'), app('queue')], desired, 4, r.apply);
  assert.deepEqual(
    results.map((x) => [x.service, x.status, x.error ?? '']),
    [
      ['db', 'rolled_back', ''],
      ['queue', 'completed', ''],
      ['api', 'blocked', 'waits for db@prod to be in sync and healthy'],
      ['web', 'blocked', 'waits for api@prod to be in sync and healthy'],
    ],
  );
  assert.ok(!r.log.includes('start api'));
});

test('a dependency already in sync and healthy lets its dependents go at once', async () => {
  const r = recorder();
  const results = await applyInOrder(
    [app('db', 'none'), app('queue', 'none'), app('api')],
    desired,
    4,
    r.apply,
  );
  assert.deepEqual(
    results.map((x) => [x.service, x.status]),
    [['api', 'completed']],
  );
});
