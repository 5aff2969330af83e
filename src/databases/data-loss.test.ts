// Unit tests of what a data rollback loses, table by table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dataLoss, describeLoss } from './data-loss.js';

test('tables that changed, appeared or went away are listed; unchanged ones are not', () => {
  const losses = dataLoss({ accounts: 3, orders: 10, legacy: 2 }, { accounts: 5, orders: 10, audit: 1 });
  assert.deepEqual(losses, [
    { table: 'accounts', snapshot: 3, now: 5, delta: 2 },
    { table: 'audit', now: 1, delta: 1 },
    { table: 'legacy', snapshot: 2, delta: -2 },
  ]);
  assert.deepEqual(describeLoss(losses), [
    'accounts: 5 rows now, 3 in the snapshot (+2 lost)',
    'audit: created since the snapshot, dropped with its 1 rows',
    'legacy: dropped since the snapshot, restored with 2 rows',
  ]);
});

test('no change says so', () => {
  assert.deepEqual(dataLoss({ a: 1 }, { a: 1 }), []);
  assert.deepEqual(describeLoss([]), ['no table has changed its row count since the snapshot']);
});

test('fewer rows now than in the snapshot come back', () => {
  assert.deepEqual(describeLoss(dataLoss({ a: 4 }, { a: 1 })), [
    'a: 1 rows now, 4 in the snapshot (-3 restored)',
  ]);
});
