// The retry decision as data: full-jitter back-off, its cap, Retry-After, permanent failures, the last attempt.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffMs, DEFAULT_RETRY_POLICY, decideRetry, type RetryPolicy } from './retry-policy.js';

const policy: RetryPolicy = { baseMs: 1_000, capMs: 8_000, maxAttempts: 6, maxRetryAfterMs: 60_000 };
const top = () => 0.999_999;

test('the back-off ceiling doubles per attempt up to the cap, and jitter spans zero to it', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((attempt) => backoffMs(attempt, policy, top)),
    [999, 1_999, 3_999, 7_999, 7_999, 7_999],
  );
  assert.equal(
    backoffMs(3, policy, () => 0),
    0,
  );
  assert.equal(
    backoffMs(3, policy, () => 0.5),
    2_000,
  );
  assert.equal(backoffMs(10_000, DEFAULT_RETRY_POLICY, top), 299_999, 'a huge attempt stays at the cap');
});

test('a retryable failure is retried after the back-off, or after Retry-After when that is longer', () => {
  assert.deepEqual(
    decideRetry({ retryable: true }, 2, policy, () => 0.5),
    { kind: 'retry', delayMs: 1_000 },
  );
  assert.deepEqual(
    decideRetry({ retryable: true, retryAfterMs: 30_000 }, 2, policy, () => 0.5),
    {
      kind: 'retry',
      delayMs: 30_000,
    },
  );
  assert.deepEqual(
    decideRetry({ retryable: true, retryAfterMs: 10 }, 2, policy, () => 0.5),
    {
      kind: 'retry',
      delayMs: 1_000,
    },
  );
  assert.deepEqual(
    decideRetry({ retryable: true, retryAfterMs: 86_400_000 }, 1, policy, () => 0),
    { kind: 'retry', delayMs: 60_000 },
    'Retry-After is honoured up to its limit',
  );
});

test('a permanent failure or the last attempt gives up', () => {
  assert.deepEqual(decideRetry({ retryable: false }, 1, policy, top), {
    kind: 'give_up',
    reason: 'permanent',
  });
  assert.deepEqual(decideRetry({ retryable: true }, 5, policy, () => 0).kind, 'retry');
  assert.deepEqual(decideRetry({ retryable: true }, 6, policy, top), { kind: 'give_up', reason: 'attempts' });
});
