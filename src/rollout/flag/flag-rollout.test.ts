// A flag rollout on a fake clock against a real SQLite store: shares move stage by stage while the
// variant is healthy, a variant that fails every request is set back to 0 within a poll or two of
// its first failures, and a provider that fails halts the rollout where it stands.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { FakeClock } from '../../../test/rollout/fake-clock.js';
import type { FlagProvider } from '../../flags/providers/flag-provider.js';
import type { RevisionMetrics, RouterMetricsSnapshot } from '../../platform/traffic-metrics.js';
import { recordLatency } from '../../router/histogram.js';
import { copyRevisionMetrics, createRevisionMetrics } from '../../router/metrics.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { MetricCheck } from '../analysis/analysis-types.js';
import { type FlagRolloutEvent, type FlagRolloutSpec, runFlagRollout } from './flag-rollout.js';
import { planFlagRollout } from './plan-flag-rollout.js';
import { variantView } from './variant-metrics.js';

const ERROR_RATE: MetricCheck = { name: 'error_rate', provider: { kind: 'router' }, max: 5 };

/** A provider that only remembers the shares it was given, and fails when told to. */
class RecordingProvider implements FlagProvider {
  readonly name = 'test';
  shares: number[] = [];
  completed = false;
  failAt: number | undefined;
  async prepare() {
    return { baseline: 'off' };
  }
  async setShare(_target: unknown, percent: number) {
    if (percent === this.failAt) throw new Error('the flag service answered 503');
    this.shares.push(percent);
  }
  async complete() {
    this.completed = true;
  }
}

/** Router counters for flag `f`: every 100 ms of clock time, `rate` requests split by the current share. */
class Traffic {
  on: RevisionMetrics = createRevisionMetrics();
  off: RevisionMetrics = createRevisionMetrics();
  last: number;
  constructor(
    private readonly clock: FakeClock,
    private readonly provider: RecordingProvider,
    private readonly onFails: (t: number) => boolean,
  ) {
    this.last = clock.now();
  }
  snapshot(): RouterMetricsSnapshot {
    const now = this.clock.now();
    while (this.last + 100 <= now) {
      this.last += 100;
      const share = this.provider.shares.at(-1) ?? 0;
      const onCount = Math.round((200 * share) / 100);
      this.count(this.on, onCount, this.onFails(this.last));
      this.count(this.off, 200 - onCount, false);
    }
    // A copy, as the router hands out: the counters go on counting.
    const on = copyRevisionMetrics(this.on);
    const off = copyRevisionMetrics(this.off);
    return {
      at: now,
      revisions: {},
      variants: { 'f=on': on, 'f=off': off, 'other=x': copyRevisionMetrics(off) },
    };
  }
  private count(m: RevisionMetrics, n: number, failing: boolean) {
    m.requests += n;
    if (failing) m.status5xx += n;
    for (let i = 0; i < n; i++) recordLatency(m.latency, 5);
  }
}

describe('flag rollout', { timeout: 20_000 }, () => {
  let dir: string;
  let clock: FakeClock;
  let store: Store;
  let events: FlagRolloutEvent[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flag-rollout-'));
    clock = new FakeClock();
    store = await openSqliteStore({ file: join(dir, 'state.db'), clock });
    events = [];
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const spec = (over: Partial<FlagRolloutSpec> = {}): FlagRolloutSpec => ({
    flag: 'f',
    variant: 'on',
    service: 'web',
    env: 'prod',
    steps: planFlagRollout({
      stages: [
        { traffic: 10, durationMs: 5_000 },
        { traffic: 50, durationMs: 5_000 },
      ],
      gradualRollout: true,
    }),
    metrics: [ERROR_RATE],
    analysis: {
      intervalMs: 1000,
      failureLimit: 1,
      inconclusiveLimit: 3,
      consecutiveErrorLimit: 4,
      minRequests: 20,
    },
    autoRollback: true,
    ...over,
  });
  const run = (s: FlagRolloutSpec, provider: RecordingProvider, traffic: Traffic) =>
    clock.run(
      runFlagRollout(s, {
        provider,
        metrics: async () => traffic.snapshot(),
        store,
        clock,
        actor: 'tester',
        report: (e) => events.push(e),
      }),
    );

  test('plans stages then 100%, or straight to 100% without gradualRollout', () => {
    const stages = [
      { traffic: 5, durationMs: 600_000 },
      { traffic: 25, durationMs: 300_000 },
    ];
    assert.deepEqual(planFlagRollout({ stages, gradualRollout: true }), [
      { percent: 5, holdMs: 600_000 },
      { percent: 25, holdMs: 300_000 },
      { percent: 100, holdMs: 0 },
    ]);
    assert.deepEqual(planFlagRollout({ stages, gradualRollout: false }), [{ percent: 100, holdMs: 300_000 }]);
  });

  test('the variant view compares one variant of the flag with the sum of its others', () => {
    const a = createRevisionMetrics();
    a.requests = 10;
    const b = createRevisionMetrics();
    b.requests = 7;
    b.status5xx = 2;
    const c = createRevisionMetrics();
    c.requests = 3;
    const view = variantView(
      { at: 1, revisions: {}, variants: { 'f=on': a, 'f=off': b, 'f=dark': c, 'g=on': b } },
      'f',
      'on',
    );
    assert.equal(view.revisions.variant?.requests, 10);
    assert.equal(view.revisions.baseline?.requests, 10);
    assert.equal(view.revisions.baseline?.status5xx, 2);
    assert.equal(b.requests, 7, 'the snapshot is not changed');
  });

  test('a healthy variant goes 10%, 50%, 100% and completes', async () => {
    const provider = new RecordingProvider();
    const outcome = await run(spec(), provider, new Traffic(clock, provider, () => false));
    assert.deepEqual(outcome, { status: 'completed' });
    assert.deepEqual(provider.shares, [10, 50, 100]);
    assert.equal(provider.completed, true);
    const stored = (await store.listEvents({})).map((e) => e.type);
    assert.deepEqual(stored, [
      'flagrollout.started',
      'flagrollout.progressed',
      'flagrollout.progressed',
      'flagrollout.progressed',
      'flagrollout.completed',
    ]);
    assert.ok(events.some((e) => e.type === 'flagrollout.measurement' && e.verdict === 'success'));
  });

  test('a variant that fails every request is set back to 0 within 300 ms of clock time', async () => {
    const provider = new RecordingProvider();
    const started = clock.now();
    const failFrom = started + 2_000;
    const outcome = await run(spec(), provider, new Traffic(clock, provider, (t) => t > failFrom));
    assert.equal(outcome.status, 'rolled_back');
    assert.deepEqual(provider.shares, [10, 0]);
    const rolledBack = (await store.listEvents({ types: ['flagrollout.rolledback'] }))[0];
    assert.ok(rolledBack, 'the rollback is an event');
    assert.ok(
      rolledBack.time - failFrom <= 300,
      `rolled back ${rolledBack.time - failFrom} ms after the first failures`,
    );
    assert.match(String(rolledBack.data.reason), /error_rate/);
  });

  test('without autoRollback a failure halts the rollout and leaves the share', async () => {
    const provider = new RecordingProvider();
    const outcome = await run(
      spec({ autoRollback: false }),
      provider,
      new Traffic(clock, provider, () => true),
    );
    assert.equal(outcome.status, 'halted');
    assert.deepEqual(provider.shares, [10]);
    assert.match(
      outcome.status === 'halted' ? outcome.reason : '',
      /autoRollback is off: the share stays at 10%/,
    );
  });

  test('a provider that fails halts the rollout at the share it reached', async () => {
    const provider = new RecordingProvider();
    provider.failAt = 50;
    const outcome = await run(spec(), provider, new Traffic(clock, provider, () => false));
    assert.deepEqual(outcome.status === 'halted' && [outcome.percent, /503/.test(outcome.reason)], [
      10,
      true,
    ]);
  });

  test('a variant nobody evaluates is inconclusive and halts after the limit', async () => {
    const provider = new RecordingProvider();
    const silent = new Traffic(clock, provider, () => false);
    silent.snapshot = () => ({ at: clock.now(), revisions: {} });
    const outcome = await run(spec(), provider, silent);
    assert.equal(outcome.status, 'halted');
    assert.match(outcome.status === 'halted' ? outcome.reason : '', /inconclusive/);
  });
});
