import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trafficEvidence } from './delivery-record.js';

const c = (requests: number, status5xx: number, connectionErrors: number) => ({
  requests,
  status5xx,
  connectionErrors,
});

test("the new revision's own 5xx answers are not failures; its connection errors and every other revision's are", () => {
  const before = { old: c(100, 1, 0), next: c(0, 0, 0) };
  const after = { old: c(160, 3, 1), next: c(40, 5, 2) };
  assert.deepEqual(trafficEvidence(before, after, 'next'), { requests: 100, failed: 2 + 1 + 2 });
});

test('a revision first seen after the start counts from zero, and a counter that went down (a restarted router) too', () => {
  assert.deepEqual(trafficEvidence({ old: c(500, 9, 9) }, { old: c(20, 0, 0), next: c(10, 0, 1) }, 'next'), {
    requests: 30,
    failed: 1,
  });
});
