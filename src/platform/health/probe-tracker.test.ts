// The probe state machine with plain data: due times, thresholds, and what holds between them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ProbeState, type ProbeTiming, ProbeTracker } from './probe-tracker.js';
import type { ProbeResult } from './run-probe.js';

const timing: ProbeTiming = { initialDelayMs: 1000, periodMs: 500, successThreshold: 1, failureThreshold: 3 };
const pass: ProbeResult = { ok: true, latencyMs: 2, message: 'HTTP 200' };
const fail: ProbeResult = { ok: false, latencyMs: 3, message: 'HTTP 503' };

/** Feeds results one per period from t=0 and returns the status after each. */
function statuses(probe: ProbeTiming, results: readonly ProbeResult[]): ProbeState['status'][] {
  const tracker = new ProbeTracker(probe, { startedAt: 0 });
  return results.map((result, i) => tracker.record(result, i * 100).status);
}

describe('ProbeTracker.due', () => {
  test('waits for the initial delay after start', () => {
    const tracker = new ProbeTracker(timing, { startedAt: 10_000 });
    assert.equal(tracker.due(10_000), false);
    assert.equal(tracker.due(10_999), false);
    assert.equal(tracker.due(11_000), true);
    assert.equal(tracker.due(50_000), true);
  });

  test('a zero initial delay is due at once', () => {
    const tracker = new ProbeTracker({ ...timing, initialDelayMs: 0 }, { startedAt: 5 });
    assert.equal(tracker.due(5), true);
  });

  test('after a start, the next is due a period after that start, whatever the result time', () => {
    const tracker = new ProbeTracker(timing, { startedAt: 0 });
    tracker.started(1000);
    assert.equal(tracker.due(1000), false);
    tracker.record(pass, 1400);
    assert.equal(tracker.due(1499), false);
    assert.equal(tracker.due(1500), true);
    tracker.started(1700);
    assert.equal(tracker.due(2199), false);
    assert.equal(tracker.due(2200), true);
  });

  test('a start before the initial delay (the caller probing early) still sets the period', () => {
    const tracker = new ProbeTracker(timing, { startedAt: 0 });
    tracker.started(200);
    assert.equal(tracker.due(699), false);
    assert.equal(tracker.due(700), true);
  });
});

describe('ProbeTracker.record', () => {
  test('starts unknown with no counts and no last result', () => {
    const tracker = new ProbeTracker(timing, { startedAt: 0 });
    assert.deepEqual(tracker.state, { status: 'unknown', consecutiveSuccesses: 0, consecutiveFailures: 0 });
  });

  test('one success passes with successThreshold 1', () => {
    assert.deepEqual(statuses(timing, [pass]), ['passing']);
  });

  test('stays unknown until successThreshold successes in a row', () => {
    assert.deepEqual(statuses({ ...timing, successThreshold: 3 }, [pass, pass, pass, pass]), [
      'unknown',
      'unknown',
      'passing',
      'passing',
    ]);
  });

  test('a failure resets the success run before the threshold', () => {
    assert.deepEqual(statuses({ ...timing, successThreshold: 2 }, [pass, fail, pass, pass]), [
      'unknown',
      'unknown',
      'unknown',
      'passing',
    ]);
  });

  test('stays unknown until failureThreshold failures in a row, then fails', () => {
    assert.deepEqual(statuses(timing, [fail, fail, fail, fail]), [
      'unknown',
      'unknown',
      'failing',
      'failing',
    ]);
  });

  test('a passing probe keeps passing through fewer than failureThreshold failures', () => {
    assert.deepEqual(statuses(timing, [pass, fail, fail, pass, fail, fail, fail]), [
      'passing',
      'passing',
      'passing',
      'passing',
      'passing',
      'passing',
      'failing',
    ]);
  });

  test('a failing probe keeps failing until successThreshold successes in a row', () => {
    const probe = { ...timing, successThreshold: 2, failureThreshold: 1 };
    assert.deepEqual(statuses(probe, [fail, pass, fail, pass, pass, fail]), [
      'failing',
      'failing',
      'failing',
      'failing',
      'passing',
      'failing',
    ]);
  });

  test('counts consecutive successes and failures, each resetting the other', () => {
    const tracker = new ProbeTracker(timing, { startedAt: 0 });
    tracker.record(pass, 1);
    tracker.record(pass, 2);
    assert.equal(tracker.state.consecutiveSuccesses, 2);
    assert.equal(tracker.state.consecutiveFailures, 0);
    const state = tracker.record(fail, 3);
    assert.equal(state.consecutiveSuccesses, 0);
    assert.equal(state.consecutiveFailures, 1);
  });

  test('keeps the last result with the time it was recorded', () => {
    const tracker = new ProbeTracker(timing, { startedAt: 0 });
    tracker.record(pass, 100);
    const state = tracker.record(fail, 250);
    assert.deepEqual(state, {
      status: 'passing',
      consecutiveSuccesses: 0,
      consecutiveFailures: 1,
      last: { ok: false, latencyMs: 3, message: 'HTTP 503', at: 250 },
    });
    assert.deepEqual(tracker.state, state);
  });

  test('returned states are snapshots, not live views', () => {
    const tracker = new ProbeTracker(timing, { startedAt: 0 });
    const first = tracker.record(pass, 1);
    tracker.record(fail, 2);
    assert.equal(first.consecutiveSuccesses, 1);
    assert.equal(first.last?.message, 'HTTP 200');
  });

  test('thresholds below 1 act as 1', () => {
    const probe = { ...timing, successThreshold: 0, failureThreshold: 0 };
    assert.deepEqual(statuses(probe, [fail, pass, fail]), ['failing', 'passing', 'failing']);
  });
});
