// The weekly series behind the dashboard's trend charts: UTC weeks from Monday, each with the same
// figures the window has, computed from hand-made facts and checked against hand-worked numbers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SLO } from '../../src/config/slo-schema.js';
import type {
  DeliveryFacts,
  DeployFact,
  IncidentFact,
  RollbackFact,
} from '../../src/metrics/delivery-facts.js';
import { deliveryMetrics } from '../../src/metrics/delivery-metrics.js';
import { weeklySeries, weekStart } from '../../src/metrics/weekly-series.js';

/** Epoch ms of 2026-03-`day` at `hour`:`minute` UTC (2026-03-02 is a Monday). */
const at = (day: number, hour = 0, minute = 0) => Date.UTC(2026, 2, day, hour, minute);

function deploy(
  service: string,
  time: number,
  commits: readonly number[],
  extra: Partial<DeployFact> = {},
): DeployFact {
  return {
    service,
    environment: 'production',
    result: 'completed',
    startedAt: time - 10 * 60_000,
    time,
    changes: commits.map((t, i) => ({ sha: `${service}-${time}-${i}`, time: t })),
    traffic: null,
    ...extra,
  };
}

const incident = (
  id: number,
  service: string,
  openedAt: number,
  resolvedAt: number | null,
): IncidentFact => ({
  id,
  service,
  environment: 'production',
  title: 'down',
  openedAt,
  resolvedAt,
});

// Week of Mar 2: A and B complete (lead 2 h, 4 h, 1 h); an incident 2 h after B, closed 3 h later.
// Week of Mar 9: C rolled back (restored 30 min after it started); D completes (lead 24 h); E of api
// completes (lead 30 min) and is rolled back by hand at 11:00, done 11:02.
// Week of Mar 16: no deploy; an incident on web blames D and heals with F a week later (168 h).
// Week of Mar 23: F completes with no new commit.
const A = deploy('web', at(4, 10), [at(4, 8), at(4, 6)]);
const B = deploy('web', at(5, 10), [at(5, 9)]);
const C = deploy('web', at(10, 9, 30), [at(10, 8)], {
  result: 'rolled_back',
  startedAt: at(10, 9),
  decidedAt: at(10, 9, 20),
  restoreMs: 10 * 60_000,
});
const D = deploy('web', at(10, 10), [at(9, 10)]);
const E = deploy('api', at(11, 10), [at(11, 9, 30)]);
const F = deploy('web', at(24, 10), []);
const rollback: RollbackFact = {
  service: 'api',
  environment: 'production',
  startedAt: at(11, 11),
  time: at(11, 11, 2),
  restoreMs: 120_000,
};
const FACTS: DeliveryFacts = {
  deploys: [A, B, C, D, E, F],
  rollbacks: [rollback],
  incidents: [incident(1, 'web', at(5, 12), at(5, 15)), incident(2, 'web', at(17, 10), null)],
  pipelines: [],
};
const WINDOW = { from: at(4), to: at(25) };

describe('weekly series', () => {
  test('weeks start on Monday 00:00 UTC', () => {
    assert.equal(weekStart(at(2)), at(2), 'a Monday is its own week');
    assert.equal(weekStart(at(8, 23, 59)), at(2), 'the Sunday after belongs to it');
    assert.equal(weekStart(at(9)), at(9));
    assert.equal(weekStart(at(4, 13)), at(2));
  });

  test('every week of the window is there; an empty one has 0 deploys and nulls', () => {
    const empty = { deploys: [], rollbacks: [], incidents: [], pipelines: [] };
    assert.deepEqual(weeklySeries(empty, { from: at(4), to: at(16) }), [
      {
        week: '2026-03-02',
        deploys: 0,
        lead_time_median_hours: null,
        change_failure_rate: null,
        time_to_restore_median_hours: null,
      },
      {
        week: '2026-03-09',
        deploys: 0,
        lead_time_median_hours: null,
        change_failure_rate: null,
        time_to_restore_median_hours: null,
      },
    ]);
    // The window ends at midnight Monday: that week has no instant of it.
    assert.equal(weeklySeries(empty, { from: at(2), to: at(9) }).length, 1);
  });

  test('each week has its deploys, lead time, change failure rate and time to restore', () => {
    assert.deepEqual(weeklySeries(FACTS, WINDOW), [
      {
        week: '2026-03-02',
        deploys: 2,
        lead_time_median_hours: 2,
        change_failure_rate: 0.5,
        time_to_restore_median_hours: 3,
      },
      {
        week: '2026-03-09',
        deploys: 2,
        // 24 h and 0.5 h; C's commit is left out, C did not complete.
        lead_time_median_hours: 12.25,
        // C did not complete, E was rolled back, D got the incident of the next week.
        change_failure_rate: 1,
        // C: 0.5 h; the rollback of E: 62 min after E ended.
        time_to_restore_median_hours: Number(((0.5 + 62 / 60) / 2).toFixed(2)),
      },
      {
        week: '2026-03-16',
        deploys: 0,
        lead_time_median_hours: null,
        change_failure_rate: null,
        time_to_restore_median_hours: 168,
      },
      {
        week: '2026-03-23',
        deploys: 1,
        lead_time_median_hours: null,
        change_failure_rate: 0,
        time_to_restore_median_hours: null,
      },
    ]);
  });

  test('the weeks add up to the window: deploys and failures', () => {
    const weeks = weeklySeries(FACTS, WINDOW);
    const window = deliveryMetrics(FACTS, WINDOW, DEFAULT_SLO);
    assert.equal(
      weeks.reduce((sum, w) => sum + w.deploys, 0),
      window.deployment_frequency.deploys,
    );
    assert.equal(window.change_failure_rate.failed, 4, 'B, C, D and E');
  });

  test('a window of one week has the window figures', () => {
    const one = { from: at(9), to: at(16) };
    const facts: DeliveryFacts = {
      deploys: [C, D, E],
      rollbacks: [rollback],
      incidents: [],
      pipelines: [],
    };
    const [week] = weeklySeries(facts, one);
    const window = deliveryMetrics(facts, one, DEFAULT_SLO);
    assert.equal(week?.deploys, window.deployment_frequency.deploys);
    assert.equal(week?.lead_time_median_hours, window.lead_time.median_hours);
    assert.equal(week?.change_failure_rate, window.change_failure_rate.rate);
    assert.equal(week?.time_to_restore_median_hours, window.time_to_restore.median_hours);
  });
});
