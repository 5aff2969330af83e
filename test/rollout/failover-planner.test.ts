/** The failover planner on plain data: traffic is simulated tick by tick from the weights it plans. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RegionCounters } from '../../src/platform/traffic-director.js';
import { initialFailoverState, planFailover } from '../../src/rollout/fleet/failover-planner.js';
import { failoverPolicy } from '../../src/rollout/fleet/failover-policy.js';
import type {
  FailoverCommand,
  FailoverEvent,
  FailoverPlan,
  FailoverPolicy,
  FailoverState,
  RegionObservation,
} from '../../src/rollout/fleet/failover-types.js';

const T0 = 1_700_000_000_000;
const SHARES = { a: 0.4, b: 0.3, c: 0.3 };
const AUTOMATIC = failoverPolicy({ strategy: 'automatic', healthThreshold: 0.95, switchoverMs: 30_000 });

/** Per tick: each region's error rate, readiness and how much traffic the fleet gets. */
interface Tick {
  readonly errors?: Readonly<Record<string, number>>;
  readonly ready?: Readonly<Record<string, number>>;
  readonly traffic?: number;
  readonly commands?: readonly Omit<FailoverCommand, 'at'>[];
}

/** Drives the planner like the loop does, every `policy.intervalMs`, routing traffic by the planned weights. */
function simulate(shares: Readonly<Record<string, number>>, policy: FailoverPolicy = AUTOMATIC) {
  let at = T0;
  let state: FailoverState = initialFailoverState(shares, at);
  const counters: Record<string, RegionCounters> = {};
  for (const name of Object.keys(shares))
    counters[name] = { requests: 0, serverErrors: 0, connectionErrors: 0 };
  const events: FailoverEvent[] = [];
  const weightsAt: [number, Record<string, number>][] = [];
  const tick = (spec: Tick = {}): FailoverPlan => {
    const traffic = spec.traffic ?? 1000;
    for (const name of Object.keys(shares)) {
      const routed = Math.round((traffic * (state.weights[name] ?? 0)) / 100);
      const before = counters[name] as RegionCounters;
      counters[name] = {
        requests: before.requests + routed,
        serverErrors: before.serverErrors + Math.ceil(routed * (spec.errors?.[name] ?? 0)),
        connectionErrors: 0,
      };
    }
    at += policy.intervalMs;
    const regions: Record<string, RegionObservation> = {};
    for (const name of Object.keys(shares)) {
      regions[name] = { counters: counters[name], ready: spec.ready?.[name] ?? 3, desired: 3 };
    }
    const commands = (spec.commands ?? []).map((command) => ({ ...command, at }));
    const plan = planFailover({ shares, policy, state, observation: { at, regions }, commands });
    state = plan.state;
    events.push(...plan.events);
    weightsAt.push([at, { ...plan.weights }]);
    return plan;
  };
  return {
    tick,
    /** Ticks for `ms` with the same spec; the last plan. */
    run(ms: number, spec: Tick = {}): FailoverPlan {
      let plan: FailoverPlan | undefined;
      for (let t = 0; t < ms; t += policy.intervalMs) plan = tick(spec);
      return plan as FailoverPlan;
    },
    events,
    weightsAt,
    now: () => at,
    state: () => state,
  };
}

const kinds = (events: readonly FailoverEvent[]) =>
  events.map((e) => `${e.kind}${'region' in e ? ` ${e.region}` : ''}`);

describe('failover planner: automatic failover', () => {
  test('starts at the configured shares', () => {
    assert.deepEqual(initialFailoverState(SHARES, T0).weights, { a: 40, b: 30, c: 30 });
  });

  const expected: Record<string, Record<string, number>> = {
    a: { a: 0, b: 50, c: 50 },
    b: { a: 57, b: 0, c: 43 },
    c: { a: 57, b: 43, c: 0 },
  };
  for (const [failing, weights] of Object.entries(expected)) {
    test(`40/30/30: when ${failing} fails its share goes to the others in proportion`, () => {
      const sim = simulate(SHARES);
      sim.run(20_000);
      const failureStart = sim.now();
      const first = sim.tick({ errors: { [failing]: 1 } });
      assert.deepEqual(first.weights, { a: 40, b: 30, c: 30 }, 'one unhealthy observation is not enough');
      assert.equal(first.regionStates[failing], 'ready');
      const second = sim.tick({ errors: { [failing]: 1 } });
      assert.deepEqual(second.weights, weights);
      assert.equal(second.regionStates[failing], 'down');
      assert.equal(
        Object.values(second.weights).reduce((s, w) => s + w, 0),
        100,
      );
      const event = second.events.find((e) => e.kind === 'failed_over');
      assert.ok(event && event.kind === 'failed_over');
      assert.equal(event.region, failing);
      assert.equal(event.mode, 'automatic');
      assert.equal(event.since, sim.now() - AUTOMATIC.intervalMs, 'from the first unhealthy observation');
      assert.equal(event.movedShare, { a: 40, b: 30, c: 30 }[failing]);
      assert.deepEqual(event.weights, weights);
      assert.equal(event.health.basis, 'requests');
      // Within the switchover time from the first unhealthy observation, and even from the failure's start.
      assert.ok(event.at - event.since <= AUTOMATIC.switchoverMs);
      assert.ok(event.at - failureStart <= AUTOMATIC.switchoverMs);
    });
  }

  test('a partial failure below the threshold fails over; one above it does not', () => {
    const above = simulate(SHARES);
    above.run(60_000, { errors: { b: 0.04 } });
    assert.deepEqual(above.state().weights, { a: 40, b: 30, c: 30 });
    assert.deepEqual(above.events, []);
    const below = simulate(SHARES);
    below.run(60_000, { errors: { b: 0.1 } });
    assert.deepEqual(below.state().weights, { a: 57, b: 0, c: 43 });
  });

  test('two regions failing at once leave the third with everything', () => {
    const sim = simulate(SHARES);
    sim.run(15_000, { errors: { a: 1, c: 1 } });
    assert.deepEqual(sim.state().weights, { a: 0, b: 100, c: 0 });
    assert.deepEqual(kinds(sim.events), ['failed_over a', 'failed_over c']);
  });
});

describe('failover planner: restore', () => {
  /** a fails from 10 s, fails over at 20 s, then is fine (it gets no traffic, so readiness judges it). */
  function failedOverA() {
    const sim = simulate(SHARES);
    sim.run(10_000);
    sim.run(10_000, { errors: { a: 1 } });
    assert.deepEqual(sim.state().weights, { a: 0, b: 50, c: 50 });
    return sim;
  }

  test('comes back in four steps of 25 %, 15 s apart, only after 60 s healthy', () => {
    const sim = failedOverA();
    const failedAt = sim.now();
    sim.run(300_000);
    const changes = sim.weightsAt
      .filter(([at]) => at > failedAt)
      .filter(([, w], i, all) => i === 0 || JSON.stringify(w) !== JSON.stringify(all[i - 1]?.[1]));
    // The failures stay in the 10 s window until 30 s; healthy from there, the hold ends at 90 s.
    assert.deepEqual(
      changes.map(([at, w]) => [(at - T0) / 1000, w]),
      [
        [25, { a: 0, b: 50, c: 50 }],
        [90, { a: 10, b: 45, c: 45 }],
        [105, { a: 20, b: 40, c: 40 }],
        [120, { a: 30, b: 35, c: 35 }],
        [135, { a: 40, b: 30, c: 30 }],
      ],
    );
    assert.deepEqual(kinds(sim.events), [
      'failed_over a',
      'restore_started a',
      'restore_progressed a',
      'restore_progressed a',
      'restored a',
    ]);
    const started = sim.events.find((e) => e.kind === 'restore_started');
    assert.ok(started?.kind === 'restore_started');
    assert.equal(started.since, T0 + 30_000, 'measured from the first healthy observation');
    assert.equal(started.at - started.since, AUTOMATIC.holdMs);
    assert.deepEqual([started.step, started.steps], [1, 4]);
  });

  test('flapping restarts the hold: no restore until 60 s healthy in a row', () => {
    const sim = failedOverA();
    sim.run(40_000); // healthy from 30 s to 60 s
    sim.tick({ ready: { a: 1 } }); // 65 s: 1 of 3 instances ready
    sim.run(55_000); // healthy from 70 s, through 120 s
    assert.equal(sim.state().weights.a, 0, 'not before 60 s after the last unhealthy observation');
    assert.equal(sim.state().regions.a?.phase.status, 'failed_over');
    sim.tick(); // 125 s
    assert.equal(sim.state().weights.a, 0);
    sim.tick(); // 130 s: healthy for 60 s since 70 s
    assert.equal(sim.state().weights.a, 10);
  });

  test('a region unhealthy again while restoring fails over again and holds anew', () => {
    const sim = failedOverA();
    sim.run(70_000); // restore started at 90 s
    assert.equal(sim.state().weights.a, 10);
    sim.run(10_000, { errors: { a: 1 } });
    assert.equal(sim.state().weights.a, 0);
    assert.deepEqual(kinds(sim.events).slice(-2), ['restore_started a', 'failed_over a']);
    const again = sim.events.at(-1);
    assert.ok(again?.kind === 'failed_over');
    assert.equal(again.movedShare, 10, 'it had the first step of its share');
  });

  test('a restoring region stops stepping while unhealthy (strategy manual)', () => {
    const manual = { ...AUTOMATIC, strategy: 'manual' as const };
    const sim = simulate(SHARES, manual);
    sim.tick({ commands: [{ kind: 'fail_over', region: 'a' }] });
    sim.run(20_000);
    sim.tick({ commands: [{ kind: 'restore', region: 'a' }] });
    assert.equal(sim.state().weights.a, 10);
    sim.run(30_000, { errors: { a: 1 } });
    assert.equal(sim.state().weights.a, 10, 'no step while unhealthy, and no failover either');
    sim.run(20_000); // healthy again from 70 s: the next step 15 s later
    assert.equal(sim.state().weights.a, 20);
    assert.deepEqual(kinds(sim.events), [
      'failed_over a',
      'restore_started a',
      'unhealthy a',
      'recovered a',
      'restore_progressed a',
    ]);
  });
});

describe('failover planner: manual commands', () => {
  test('--from takes a region out at once; it never returns on its own; --restore brings it back gradually', () => {
    const sim = simulate(SHARES);
    const out = sim.tick({ commands: [{ kind: 'fail_over', region: 'b' }] });
    assert.equal(out.commands[0]?.status, 'accepted');
    assert.deepEqual(out.weights, { a: 57, b: 0, c: 43 });
    assert.equal(out.regionStates.b, 'drain');
    const event = out.events[0];
    assert.ok(event?.kind === 'failed_over');
    assert.deepEqual(
      [event.mode, event.since, event.at, event.movedShare],
      ['manual', sim.now(), sim.now(), 30],
    );
    sim.run(600_000);
    assert.deepEqual(sim.state().weights, { a: 57, b: 0, c: 43 }, 'healthy for 10 minutes, still out');
    const back = sim.tick({ commands: [{ kind: 'restore', region: 'b' }] });
    assert.equal(back.commands[0]?.status, 'accepted');
    // b gets 7.5 of its 30; the rest splits 52.86 / 39.64; largest remainders round a and c up.
    assert.deepEqual(back.weights, { a: 53, b: 7, c: 40 });
    assert.equal(back.regionStates.b, 'ready');
    sim.run(45_000);
    assert.deepEqual(sim.state().weights, { a: 40, b: 30, c: 30 });
    assert.deepEqual(kinds(sim.events), [
      'failed_over b',
      'restore_started b',
      'restore_progressed b',
      'restore_progressed b',
      'restored b',
    ]);
  });

  test('a command that would leave nothing to route to, or does not apply, is rejected', () => {
    const single = simulate({ solo: 1 });
    const plan = single.tick({ commands: [{ kind: 'fail_over', region: 'solo' }] });
    assert.equal(plan.commands[0]?.status === 'rejected' && plan.commands[0].reason, 'nowhere_to_go');
    assert.deepEqual(plan.weights, { solo: 100 });

    const sim = simulate(SHARES);
    const reasons = (p: FailoverPlan) =>
      p.commands.map((c) => (c.status === 'rejected' ? c.reason : c.status));
    assert.deepEqual(
      reasons(
        sim.tick({
          commands: [
            { kind: 'restore', region: 'a' },
            { kind: 'fail_over', region: 'x' },
            { kind: 'fail_over', region: 'a' },
            { kind: 'fail_over', region: 'a' },
            { kind: 'fail_over', region: 'b' },
            { kind: 'fail_over', region: 'c' },
          ],
        }),
      ),
      ['not_failed_over', 'unknown_region', 'accepted', 'already_failed_over', 'accepted', 'nowhere_to_go'],
    );
    assert.deepEqual(sim.state().weights, { a: 0, b: 0, c: 100 });
  });

  test('--from on a region the rules failed over makes it manual: it no longer returns on its own', () => {
    const sim = simulate(SHARES);
    sim.run(10_000);
    sim.run(10_000, { errors: { a: 1 } });
    assert.equal(sim.state().regions.a?.phase.status, 'failed_over');
    const plan = sim.tick({ commands: [{ kind: 'fail_over', region: 'a' }] });
    assert.equal(plan.commands[0]?.status, 'accepted');
    assert.equal(plan.regionStates.a, 'drain');
    sim.run(300_000);
    assert.equal(sim.state().weights.a, 0);
  });
});

describe('failover planner: strategy manual and the edge cases', () => {
  test('strategy manual never acts, and reports an unhealthy region once per streak', () => {
    const sim = simulate(SHARES, { ...AUTOMATIC, strategy: 'manual' });
    sim.run(120_000, { errors: { a: 1 } });
    assert.deepEqual(sim.state().weights, { a: 40, b: 30, c: 30 });
    sim.run(30_000);
    assert.deepEqual(kinds(sim.events), ['unhealthy a', 'recovered a']);
    const reported = sim.events[0];
    assert.ok(reported?.kind === 'unhealthy');
    assert.equal(reported.reason, 'manual_strategy');
    assert.deepEqual([reported.since, reported.at], [T0 + 10_000, T0 + 15_000]);
  });

  test('every region unhealthy: the weights stay as they were, reported once', () => {
    const sim = simulate(SHARES);
    sim.run(60_000, { errors: { a: 1, b: 1, c: 1 } });
    assert.deepEqual(sim.state().weights, { a: 40, b: 30, c: 30 });
    assert.deepEqual(kinds(sim.events), ['all_unhealthy', 'unhealthy a', 'unhealthy b', 'unhealthy c']);
    assert.ok(sim.events.every((e) => e.kind !== 'unhealthy' || e.reason === 'nowhere_to_go'));
  });

  test('the regions left after a failover turning unhealthy keep the last weights', () => {
    const sim = simulate(SHARES);
    sim.run(10_000);
    sim.run(10_000, { errors: { a: 1 } });
    sim.run(30_000, { errors: { a: 1, b: 1, c: 1 }, ready: { a: 0 } });
    assert.deepEqual(sim.state().weights, { a: 0, b: 50, c: 50 });
    assert.deepEqual(kinds(sim.events), ['failed_over a', 'all_unhealthy', 'unhealthy b', 'unhealthy c']);
  });

  test('a single region never fails over: there is nowhere to go', () => {
    const sim = simulate({ solo: 1 });
    sim.run(60_000, { errors: { solo: 1 } });
    assert.deepEqual(sim.state().weights, { solo: 100 });
    assert.deepEqual(kinds(sim.events), ['all_unhealthy', 'unhealthy solo']);
  });

  test('a region with 0 % share is reported, never failed over, and never takes traffic', () => {
    const sim = simulate({ a: 0.5, b: 0.5, z: 0 });
    sim.run(30_000, { ready: { z: 0 } });
    assert.deepEqual(kinds(sim.events), ['unhealthy z']);
    assert.ok(sim.events[0]?.kind === 'unhealthy' && sim.events[0].reason === 'zero_share');
    sim.run(10_000, { errors: { a: 1 }, ready: { z: 0 } });
    assert.deepEqual(sim.state().weights, { a: 0, b: 100, z: 0 });
  });

  test('below 20 requests in the window health is instance readiness', () => {
    const sim = simulate(SHARES);
    sim.tick({ traffic: 10 });
    const quiet = sim.tick({ traffic: 10, errors: { a: 1 } });
    assert.equal(quiet.health.a?.basis, 'readiness');
    sim.run(30_000, { traffic: 10, errors: { a: 1 } });
    assert.deepEqual(sim.state().weights, { a: 40, b: 30, c: 30 }, 'a few failed requests are not judged');
    sim.run(10_000, { traffic: 10, ready: { a: 2 } });
    assert.deepEqual(sim.state().weights, { a: 0, b: 50, c: 50 }, '2 of 3 ready is below 95 %');
  });

  test('failures older than the window no longer count, and counters that restart do not confuse it', () => {
    const policy = AUTOMATIC;
    const shares = { a: 0.5, b: 0.5 };
    let state = initialFailoverState(shares, T0);
    const observe = (at: number, a: RegionCounters) =>
      planFailover({
        shares,
        policy,
        state,
        observation: {
          at,
          regions: {
            a: { counters: a },
            b: { counters: { requests: 0, serverErrors: 0, connectionErrors: 0 } },
          },
        },
      });
    const c = (requests: number, serverErrors: number) => ({ requests, serverErrors, connectionErrors: 0 });
    state = observe(T0 + 5_000, c(1000, 500)).state; // since the director started: not a window
    let plan = observe(T0 + 10_000, c(1100, 500));
    assert.deepEqual(plan.health.a, { basis: 'requests', value: 1, requests: 100, failed: 0 });
    state = plan.state;
    plan = observe(T0 + 15_000, c(50, 10)); // restarted: 50 requests since
    assert.deepEqual(plan.health.a, { basis: 'requests', value: 0.8, requests: 50, failed: 10 });
    state = plan.state;
    plan = observe(T0 + 25_000, c(150, 10)); // the 10 failures are before the window's start
    assert.deepEqual(plan.health.a, { basis: 'requests', value: 1, requests: 100, failed: 0 });
  });
});
