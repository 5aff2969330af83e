import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SLO } from '../config/slo-schema.js';
import type { DeployRecord } from '../store/delivery-records.js';
import type { EventType } from '../store/event-types.js';
import type { StoredEvent } from '../store/store.js';
import { deliveryFacts } from './delivery-facts.js';
import { deliveryMetrics } from './delivery-metrics.js';

// A month of history, Sunday 2026-03-01 onwards; every figure below is worked out by hand in the comments.
const T0 = Date.UTC(2026, 2, 1);
const at = (day: number, hour: number, minute = 0, second = 0) =>
  T0 + ((day * 24 + hour) * 60 + minute) * 60_000 + second * 1000;
const window = { from: T0, to: T0 + 28 * 86_400_000 };

let nextId = 1;
function event(
  type: EventType,
  time: number,
  where: { service?: string; environment?: string },
  data: Record<string, unknown> = {},
): StoredEvent {
  return {
    id: nextId++,
    type,
    time,
    actor: 'test',
    commitSha: null,
    service: where.service ?? null,
    environment: where.environment ?? null,
    runId: null,
    subject: null,
    data,
  };
}
const web = { service: 'web', environment: 'production' };
const api = { service: 'api', environment: 'production@eu-west' }; // a fleet region's scope counts as production
const change = (sha: string, time: number) => ({ sha, time });
function deploy(
  type: EventType,
  where: typeof web,
  time: number,
  record: Omit<DeployRecord, 'changes'> & Partial<DeployRecord>,
) {
  return event(type, time, where, { deploy: { changes: [], ...record } });
}

const history: StoredEvent[] = [
  // 1. web completes: lead times 24 h and 2 h; clean.
  deploy('service.deployed', web, at(1, 10), {
    result: 'completed',
    startedAt: at(1, 9, 55),
    changes: [change('c1', at(0, 10)), change('c2', at(1, 8))],
    traffic: { requests: 100, failed: 0 },
  }),
  // 2. web rolls back: restore from 09:50 to 09:58 + 3 s; rollback time 3 s.
  deploy('service.rolledback', web, at(2, 10), {
    result: 'rolled_back',
    startedAt: at(2, 9, 50),
    decidedAt: at(2, 9, 58),
    restoreMs: 3000,
    changes: [change('c3', at(2, 9))],
    traffic: { requests: 50, failed: 0 },
  }),
  // 3. web completes with c3 (25 h) and c4 (1 h); two failed requests: not clean.
  deploy('service.upgraded', web, at(3, 10), {
    result: 'completed',
    startedAt: at(3, 9, 55),
    changes: [change('c3', at(2, 9)), change('c4', at(3, 9))],
    traffic: { requests: 80, failed: 2 },
  }),
  // 4. api completes: c5 at the deploy's own time is automated (left out), c6 24 h; no router evidence.
  deploy('service.deployed', api, at(8, 10), {
    result: 'completed',
    startedAt: at(8, 9, 55),
    changes: [change('c5', at(8, 10)), change('c6', at(7, 10))],
    traffic: null,
  }),
  // An incident on api two hours after deploy 4: it failed; restored in 2 h.
  event('incident.detected', at(8, 12), api, { title: 'errors up' }),
  // 5. api aborted: restore 31 s; rollback time 1 s.
  deploy('rollout.aborted', api, at(9, 10), {
    result: 'aborted',
    startedAt: at(9, 9, 59),
    decidedAt: at(9, 9, 59, 30),
    restoreMs: 1000,
    traffic: { requests: 10, failed: 0 },
  }),
  // The rolled-back deploy's second event carries no record: it counts once.
  event('rollout.aborted', at(2, 10), web, { rolledBack: true }),
  // 6. web completes: lead time 3 h.
  deploy('service.upgraded', web, at(15, 10), {
    result: 'completed',
    startedAt: at(15, 9, 55),
    changes: [change('c7', at(15, 7))],
    traffic: { requests: 20, failed: 0 },
  }),
  // `slipway rollback` an hour later: deploy 6 failed; restored 1 h 5 s after it; rollback time 5 s.
  event('service.rolledback', at(15, 11, 0, 5), web, {
    manual: true,
    rollback: { startedAt: at(15, 11), restoreMs: 5000 },
  }),
  // A web incident never closed and never followed by a deploy: blames deploy 6 again, restores nothing.
  event('incident.detected', at(20, 10), web, { title: 'slow' }),
  // Other environments and services do not count.
  deploy('service.deployed', { service: 'web', environment: 'staging' }, at(4, 10), {
    result: 'completed',
    startedAt: at(4, 9),
    traffic: { requests: 1, failed: 1 },
  }),
  // Pipeline runs of 5, 10 and 20 minutes; a cancelled one is left out.
  event(
    'pipelinerun.finished',
    at(1, 9),
    {},
    { status: 'success', durationMs: 5 * 60_000, pipeline: 'shop' },
  ),
  event(
    'pipelinerun.finished',
    at(2, 9),
    {},
    { status: 'failure', durationMs: 10 * 60_000, pipeline: 'shop' },
  ),
  event(
    'pipelinerun.finished',
    at(3, 9),
    {},
    { status: 'success', durationMs: 20 * 60_000, pipeline: 'shop' },
  ),
  event('pipelinerun.finished', at(3, 9), {}, { status: 'cancelled', durationMs: 1, pipeline: 'shop' }),
];
const resolved = event('incident.resolved', at(8, 14), api, { incident: history[4]!.id });

describe('delivery metrics of a month', () => {
  const facts = deliveryFacts([...history, resolved], { environment: 'production' });
  const m = deliveryMetrics(facts, window, DEFAULT_SLO);

  test('deployment frequency: 4 completed deploys in 4 weeks, deploys in 3 of them: weekly', () => {
    assert.deepEqual(m.deployment_frequency, { deploys: 4, per_week: 1, band: 'weekly' });
  });

  test('lead time: median of 1, 2, 3, 24, 24, 25 hours; time to production their mean', () => {
    assert.deepEqual(m.lead_time, { median_hours: 13.5, band: 'one day' });
    assert.deepEqual(m.time_to_production, { mean_hours: 13.17 });
  });

  test('change failure rate: rolled back, aborted, one an incident followed, one rolled back by hand', () => {
    assert.deepEqual(m.change_failure_rate, { failed: 4, deploys: 6, rate: 0.6667, band: '46-60%' });
    assert.equal(m.rollback_rate, 0.5);
    assert.equal(m.deploy_success_rate, 0.6667);
  });

  test('time to restore: median of 31 s, 8 min 3 s, 1 h 5 s and 2 h', () => {
    assert.deepEqual(m.time_to_restore, { median_hours: 0.57, band: 'one day' });
  });

  test('pipelines, zero downtime and rollback time', () => {
    assert.deepEqual(m.pipeline, { p50_minutes: 10, p95_minutes: 19, budget_minutes: 15 });
    assert.deepEqual(m.zero_downtime, { rollouts: 5, clean: 4, share: 0.8 });
    assert.deepEqual(m.rollback_time, { median_seconds: 3, max_seconds: 5 });
  });

  test('success targets: only the rollback time is met', () => {
    assert.deepEqual(
      m.slo.map((s) => [s.name, s.target, s.value, s.met]),
      [
        ['zero_downtime', 1, 0.8, false],
        ['deploy_success_rate', 0.99, 0.6667, false],
        ['rollback_time', 120, 5, true],
        ['pipeline_duration', 15, 19, false],
        ['time_to_production', 1, 13.17, false],
      ],
    );
  });

  test('one service: api alone', () => {
    const a = deliveryMetrics(
      deliveryFacts([...history, resolved], { service: 'api', environment: 'production' }),
      window,
      DEFAULT_SLO,
    );
    assert.deepEqual(a.change_failure_rate, { failed: 2, deploys: 2, rate: 1, band: '46-60%' });
    assert.deepEqual(a.lead_time, { median_hours: 24, band: 'one week' });
    assert.equal(a.pipeline.p50_minutes, null, 'the pipeline is named shop, not api');
  });

  test('an empty window: zero deploys, yearly, nothing else measured, no target met or missed', () => {
    const empty = deliveryMetrics(deliveryFacts([], { environment: 'production' }), window, DEFAULT_SLO);
    assert.deepEqual(empty.deployment_frequency, { deploys: 0, per_week: 0, band: 'yearly' });
    assert.deepEqual(empty.change_failure_rate, { failed: 0, deploys: 0, rate: null, band: null });
    assert.equal(empty.lead_time.median_hours, null);
    assert.ok(empty.slo.every((s) => s.value === null && s.met === null));
    assert.deepEqual(empty.window, { from: '2026-03-01T00:00:00.000Z', to: '2026-03-29T00:00:00.000Z' });
  });

  test('an incident closed after the next healthy deploy is restored by that deploy', () => {
    const late = deliveryFacts(
      [
        history[0]!,
        event('incident.detected', at(1, 12), web),
        deploy('service.upgraded', web, at(1, 13), {
          result: 'completed',
          startedAt: at(1, 12, 50),
          traffic: null,
        }),
        event('incident.resolved', at(1, 20), web, { incident: nextId - 2 }),
      ],
      { environment: 'production' },
    );
    assert.equal(deliveryMetrics(late, window, DEFAULT_SLO).time_to_restore.median_hours, 1);
  });
});
