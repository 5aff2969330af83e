/** The failover loop against an in-memory traffic director, on a fake clock, with traffic routed by its weights. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTrafficDirectorError } from '../../src/platform/traffic-director.js';
import type { FailoverError } from '../../src/rollout/fleet/failover-errors.js';
import {
  type FailoverLoop,
  type RecordedFailoverEvent,
  type RegionReadiness,
  startFailoverLoop,
} from '../../src/rollout/fleet/failover-loop.js';
import { failoverPolicy } from '../../src/rollout/fleet/failover-policy.js';
import type { FailoverPolicy } from '../../src/rollout/fleet/failover-types.js';
import { createMemoryDirector, type MemoryDirector } from '../helpers/memory-director.js';
import { FakeClock } from './fake-clock.js';

const T0 = 1_700_000_000_000;
const SHARES = { a: 0.4, b: 0.3, c: 0.3 };
const AUTOMATIC = failoverPolicy({ strategy: 'automatic', healthThreshold: 0.95, switchoverMs: 30_000 });

interface World {
  readonly clock: FakeClock;
  readonly director: MemoryDirector;
  readonly loop: FailoverLoop;
  readonly recorded: RecordedFailoverEvent[];
  readonly problems: FailoverError[];
  readonly ready: Record<string, RegionReadiness>;
  /** Plan times, ms after T0. */
  readonly rounds: number[];
  /** Moves the clock `ms` ahead, 200 requests a second routed by the director; `failing` regions answer 5xx. */
  serve(ms: number, failing?: readonly string[]): Promise<void>;
}

async function world(policy: FailoverPolicy = AUTOMATIC): Promise<World> {
  const clock = new FakeClock(T0);
  const director = createMemoryDirector(Object.keys(SHARES));
  await director.setWeights({ a: 40, b: 30, c: 30 });
  const ready: Record<string, RegionReadiness> = {
    a: { ready: 3, desired: 3 },
    b: { ready: 3, desired: 3 },
    c: { ready: 3, desired: 3 },
  };
  const recorded: RecordedFailoverEvent[] = [];
  const problems: FailoverError[] = [];
  const rounds: number[] = [];
  const loop = startFailoverLoop({
    director,
    shares: SHARES,
    policy,
    clock,
    readiness: async () => ({ ...ready }),
    record: (event) => {
      recorded.push(event);
    },
    report: (error) => {
      problems.push(error);
    },
    onPlan: () => {
      rounds.push(clock.now() - T0);
    },
  });
  return {
    clock,
    director,
    loop,
    recorded,
    problems,
    ready,
    rounds,
    async serve(ms, failing = []) {
      for (let t = 0; t < ms; t += 1000) {
        director.serve(200, (region) => (failing.includes(region) ? 1 : 0));
        await clock.advance(1000);
      }
    },
  };
}

const kinds = (events: readonly RecordedFailoverEvent[]) =>
  events.map((e) => `${e.kind}${'region' in e ? ` ${e.region}` : ''}`);

describe('failover loop', () => {
  test('fails a region over within the switchover time, records the measured switch, restores it gradually', async () => {
    const w = await world();
    await w.serve(20_000);
    assert.deepEqual(w.rounds, [0, 5000, 10_000, 15_000, 20_000], 'a round every 5 s, the first at once');
    const failureStart = w.clock.now();
    await w.serve(30_000, ['a']);
    assert.deepEqual(w.director.weights(), { a: 0, b: 50, c: 50 });
    assert.equal(w.director.states().a, 'down');
    const switched = w.recorded.find((e) => e.kind === 'failed_over');
    assert.ok(switched?.kind === 'failed_over');
    assert.equal(switched.since, T0 + 25_000, 'first unhealthy observation');
    assert.equal(switched.appliedAt, T0 + 30_000);
    assert.equal(switched.switchMs, 5000);
    assert.ok(
      switched.appliedAt - failureStart <= AUTOMATIC.switchoverMs,
      'within the switchover time of the failure',
    );
    const applied = w.director.calls
      .filter((c) => c.operation === 'setWeights' && c.ok)
      .map((c) => c.args[0]);
    assert.deepEqual(applied, [
      { a: 40, b: 30, c: 30 },
      { a: 0, b: 50, c: 50 },
    ]);

    // a is fine again; it gets no traffic, so readiness judges it: healthy from 40 s, back from 100 s.
    await w.serve(80_000);
    assert.equal(w.director.states().a, 'ready');
    assert.deepEqual(w.director.weights(), { a: 30, b: 35, c: 35 });
    await w.serve(20_000);
    assert.deepEqual(w.director.weights(), { a: 40, b: 30, c: 30 });
    assert.deepEqual(kinds(w.recorded), [
      'failed_over a',
      'restore_started a',
      'restore_progressed a',
      'restore_progressed a',
      'restored a',
    ]);
    const restored = w.recorded.at(-1);
    assert.ok(restored?.kind === 'restored');
    assert.deepEqual(
      [restored.since, restored.appliedAt],
      [T0 + 40_000, T0 + 145_000],
      'hold, then three steps',
    );
    assert.deepEqual(w.problems, []);
    await w.loop.stop();
  });

  test('failover --from acts at once (drain) and stays; --restore brings the region back in steps', async () => {
    const w = await world();
    await w.serve(7000);
    const result = await w.loop.failOver('b');
    assert.equal(result.status, 'accepted');
    assert.deepEqual(w.director.weights(), { a: 57, b: 0, c: 43 });
    assert.equal(w.director.states().b, 'drain');
    const out = w.recorded[0];
    assert.ok(out?.kind === 'failed_over');
    assert.deepEqual([out.mode, out.since, out.appliedAt, out.switchMs], ['manual', T0 + 7000, T0 + 7000, 0]);
    await w.serve(300_000);
    assert.equal(w.director.weights().b, 0, 'never returns on its own');
    const back = await w.loop.restore('b');
    assert.equal(back.status, 'accepted');
    assert.equal(w.director.states().b, 'ready');
    assert.deepEqual(w.director.weights(), { a: 53, b: 7, c: 40 });
    await w.serve(50_000);
    assert.deepEqual(w.director.weights(), { a: 40, b: 30, c: 30 });
    const refused = await w.loop.failOver('nowhere');
    assert.ok(refused.status === 'rejected' && refused.reason === 'unknown_region');
    await w.loop.stop();
  });

  test('strategy manual never touches the director, and records the unhealthy region', async () => {
    const w = await world({ ...AUTOMATIC, strategy: 'manual' });
    await w.serve(120_000, ['c']);
    assert.deepEqual(w.director.weights(), { a: 40, b: 30, c: 30 });
    assert.equal(w.director.calls.length, 1, 'only the set-up call');
    assert.deepEqual(kinds(w.recorded), ['unhealthy c']);
    await w.loop.stop();
  });

  test('director errors are reported, not thrown; the switch is applied and recorded on a later round', async () => {
    const w = await world();
    await w.serve(20_000);
    w.director.failNext('status');
    await w.serve(5000);
    assert.equal(w.problems[0]?.code, 'status_failed');
    w.director.failNext('setWeights');
    await w.serve(15_000, ['a']);
    // Unhealthy at 30 s, the failover planned at 35 s fails to apply, the next round applies it at 40 s.
    const codes = w.problems.map((p) => p.code);
    assert.deepEqual(codes, ['status_failed', 'apply_failed']);
    assert.ok(isTrafficDirectorError(w.problems[1]?.cause, 'director_unavailable'));
    assert.deepEqual(w.director.weights(), { a: 0, b: 50, c: 50 });
    const switched = w.recorded.find((e) => e.kind === 'failed_over');
    assert.ok(switched?.kind === 'failed_over');
    assert.deepEqual(
      [switched.since, switched.appliedAt, switched.switchMs],
      [T0 + 30_000, T0 + 40_000, 10_000],
    );
    assert.equal(w.recorded.filter((e) => e.kind === 'failed_over').length, 1);
    await w.loop.stop();
  });

  test('a command while the director does not answer waits for the next rounds, without spinning', async () => {
    const w = await world();
    await w.serve(7000);
    w.director.failNext('status', 2);
    const answer = w.loop.failOver('b');
    await w.serve(15_000);
    const result = await answer;
    assert.equal(result.status, 'accepted');
    assert.deepEqual(
      w.problems.map((p) => p.code),
      ['status_failed', 'status_failed'],
    );
    assert.deepEqual(w.rounds, [0, 5000, 17_000, 22_000], 'failed rounds at 7 s and 12 s plan nothing');
    const out = w.recorded[0];
    assert.ok(out?.kind === 'failed_over');
    assert.deepEqual([out.since, out.appliedAt, out.switchMs], [T0 + 7000, T0 + 17_000, 10_000]);
    await w.loop.stop();
  });

  test('stop ends the loop: nothing waits on the clock and later commands are rejected', async () => {
    const w = await world();
    await w.serve(10_000);
    await w.loop.stop();
    assert.equal(w.clock.pending, 0);
    const calls = w.director.calls.length;
    await w.serve(30_000, ['a']);
    assert.equal(w.director.calls.length, calls);
    const late = await w.loop.failOver('a');
    assert.ok(late.status === 'rejected' && late.reason === 'stopped');
  });
});
