import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CompiledTable, compileTable } from './compiled-table.js';
import { pickLeastOutstanding, pickWeighted, pickWeightedExcept, selectRevision } from './pick.js';
import type { RouteInstance, RouteRevision, RouteTable } from './route-table.js';

interface FakeInstance {
  readonly id: string;
  inflight: number;
}

function instances(revision: string, ready: number, notReady = 0): RouteInstance[] {
  const list: RouteInstance[] = [];
  for (let i = 0; i < ready + notReady; i++) {
    list.push({ id: `${revision}-${i}`, host: '127.0.0.1', port: 1000 + i, ready: i < ready });
  }
  return list;
}

function compile(revisions: RouteRevision[], sticky = false): CompiledTable<FakeInstance, { id: string }> {
  const table: RouteTable = { revisions, sticky };
  return compileTable(
    table,
    (instance) => ({ id: instance.id, inflight: 0 }),
    (id) => ({ id }),
  );
}

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function countPicks(
  table: CompiledTable<FakeInstance, { id: string }>,
  picks: number,
  seed = 1,
): Map<string, number> {
  const rand = seeded(seed);
  const counts = new Map<string, number>();
  for (let i = 0; i < picks; i++) {
    const id = pickWeighted(table, rand())?.id ?? 'none';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('pickWeighted', () => {
  test('splits 10/90 within tolerance', () => {
    const table = compile([
      { id: 'a', weight: 10, instances: instances('a', 1) },
      { id: 'b', weight: 90, instances: instances('b', 1) },
    ]);
    const counts = countPicks(table, 20_000);
    const share = (counts.get('a') ?? 0) / 20_000;
    assert.ok(Math.abs(share - 0.1) < 0.01, `share of a was ${share}`);
  });

  test('a 0.1% weight gets some of 20k picks, and about the right amount', () => {
    const table = compile([
      { id: 'canary', weight: 0.1, instances: instances('canary', 1) },
      { id: 'stable', weight: 99.9, instances: instances('stable', 1) },
    ]);
    const canary = countPicks(table, 20_000, 7).get('canary') ?? 0;
    // Expected 20; a Poisson(20) count stays within 5..45 with overwhelming probability.
    assert.ok(canary >= 5 && canary <= 45, `canary got ${canary}`);
  });

  test('weight 0 never gets ordinary traffic', () => {
    const table = compile([
      { id: 'zero', weight: 0, instances: instances('zero', 2) },
      { id: 'all', weight: 100, instances: instances('all', 1) },
    ]);
    assert.equal(countPicks(table, 5000).get('zero'), undefined);
  });

  test('renormalises over revisions with a ready instance', () => {
    const table = compile([
      { id: 'down', weight: 80, instances: instances('down', 0, 2) },
      { id: 'a', weight: 10, instances: instances('a', 1) },
      { id: 'b', weight: 10, instances: instances('b', 1) },
    ]);
    const counts = countPicks(table, 10_000);
    assert.equal(counts.get('down'), undefined);
    const share = (counts.get('a') ?? 0) / 10_000;
    assert.ok(Math.abs(share - 0.5) < 0.03, `share of a was ${share}`);
  });

  test('nothing to pick when all weight sits on revisions without ready instances', () => {
    const table = compile([
      { id: 'down', weight: 100, instances: instances('down', 0, 1) },
      { id: 'idle', weight: 0, instances: instances('idle', 1) },
    ]);
    assert.equal(pickWeighted(table, 0.5), undefined);
    assert.deepEqual(selectRevision(table, undefined, undefined, 0.5), {
      kind: 'unavailable',
      revision: undefined,
    });
  });

  test('weights are kept to 0.001 resolution and any positive weight counts', () => {
    const table = compile([
      { id: 'tiny', weight: 0.0001, instances: instances('tiny', 1) },
      { id: 'fine', weight: 0.005, instances: instances('fine', 1) },
    ]);
    assert.deepEqual(
      table.weighted.map((r) => r.weightUnits),
      [1, 5],
    );
  });

  test('pickWeightedExcept skips the excluded revision', () => {
    const table = compile([
      { id: 'a', weight: 50, instances: instances('a', 1) },
      { id: 'b', weight: 50, instances: instances('b', 1) },
    ]);
    const rand = seeded(3);
    for (let i = 0; i < 100; i++) assert.equal(pickWeightedExcept(table, 'a', rand())?.id, 'b');
    const alone = compile([{ id: 'a', weight: 100, instances: instances('a', 1) }]);
    assert.equal(pickWeightedExcept(alone, 'a', 0.3), undefined);
  });
});

describe('selectRevision', () => {
  const revisions: RouteRevision[] = [
    { id: 'r-stable', role: 'stable', weight: 100, instances: instances('s', 1) },
    { id: 'r-canary', role: 'canary', weight: 0, instances: instances('c', 1) },
    { id: 'r-down', weight: 0, instances: instances('d', 0, 1) },
  ];

  test('an override reaches a weight-0 revision by id or role', () => {
    const table = compile(revisions);
    for (const name of ['r-canary', 'canary']) {
      const selection = selectRevision(table, name, undefined, 0.1);
      assert.equal(selection.kind, 'revision');
      assert.equal(selection.kind === 'revision' && selection.revision.id, 'r-canary');
    }
    const stable = selectRevision(table, 'stable', undefined, 0.1);
    assert.equal(stable.kind === 'revision' && stable.revision.id, 'r-stable');
  });

  test('an unknown override is reported, one without ready instances is unavailable', () => {
    const table = compile(revisions);
    assert.deepEqual(selectRevision(table, 'r-nope', undefined, 0.1), { kind: 'unknown', name: 'r-nope' });
    const down = selectRevision(table, 'r-down', undefined, 0.1);
    assert.equal(down.kind, 'unavailable');
    assert.equal(down.kind === 'unavailable' && down.revision?.id, 'r-down');
  });

  test('sticky tables keep a client on its revision while it takes traffic, else re-pick and set the cookie', () => {
    const table = compile(
      [
        { id: 'a', weight: 50, instances: instances('a', 1) },
        { id: 'b', weight: 50, instances: instances('b', 1) },
        { id: 'z', weight: 0, instances: instances('z', 1) },
      ],
      true,
    );
    for (const rand of [0.01, 0.99]) {
      const kept = selectRevision(table, undefined, 'b', rand);
      assert.equal(kept.kind === 'revision' && kept.revision.id, 'b');
      assert.equal(kept.kind === 'revision' && kept.setSticky, false);
    }
    for (const stale of ['z', 'gone']) {
      const repicked = selectRevision(table, undefined, stale, 0.01);
      assert.equal(repicked.kind === 'revision' && repicked.revision.id, 'a');
      assert.equal(repicked.kind === 'revision' && repicked.setSticky, true);
    }
    const fresh = selectRevision(table, undefined, undefined, 0.99);
    assert.equal(
      fresh.kind === 'revision' && fresh.revision.stickyCookie,
      'slipway-sticky=b; Path=/; HttpOnly; SameSite=Lax',
    );
  });

  test('non-sticky tables ignore the sticky cookie and never set one', () => {
    const table = compile([
      { id: 'a', weight: 50, instances: instances('a', 1) },
      { id: 'b', weight: 50, instances: instances('b', 1) },
    ]);
    const selection = selectRevision(table, undefined, 'b', 0.01);
    assert.equal(selection.kind === 'revision' && selection.revision.id, 'a');
    assert.equal(selection.kind === 'revision' && selection.setSticky, false);
  });

  test('a revision literally named like a role stays reachable by id', () => {
    const table = compile([
      { id: 'canary', weight: 0, instances: instances('x', 1) },
      { id: 'r-2', role: 'canary', weight: 100, instances: instances('y', 1) },
    ]);
    const selection = selectRevision(table, 'canary', undefined, 0.5);
    assert.equal(selection.kind === 'revision' && selection.revision.id, 'canary');
  });
});

describe('pickLeastOutstanding', () => {
  test('picks the instance with the fewest requests in flight', () => {
    const ready = [
      { id: 'a', inflight: 3 },
      { id: 'b', inflight: 1 },
      { id: 'c', inflight: 2 },
    ];
    for (let start = 0; start < 6; start++) assert.equal(pickLeastOutstanding(ready, start)?.id, 'b');
  });

  test('ties rotate with the start cursor', () => {
    const ready = [
      { id: 'a', inflight: 0 },
      { id: 'b', inflight: 0 },
      { id: 'c', inflight: 0 },
    ];
    assert.deepEqual(
      [0, 1, 2, 3].map((start) => pickLeastOutstanding(ready, start)?.id),
      ['a', 'b', 'c', 'a'],
    );
  });

  test('skips the excluded instance and returns undefined when nothing is left', () => {
    const a = { id: 'a', inflight: 0 };
    const b = { id: 'b', inflight: 5 };
    assert.equal(pickLeastOutstanding([a, b], 0, a)?.id, 'b');
    assert.equal(pickLeastOutstanding([a], 0, a), undefined);
    assert.equal(pickLeastOutstanding([], 0), undefined);
  });

  test('balances a stream of requests that stay in flight', () => {
    const ready = [
      { id: 'a', inflight: 0 },
      { id: 'b', inflight: 0 },
      { id: 'c', inflight: 0 },
    ];
    for (let i = 0; i < 30; i++) pickLeastOutstanding(ready, i)!.inflight++;
    assert.deepEqual(
      ready.map((r) => r.inflight),
      [10, 10, 10],
    );
  });
});
