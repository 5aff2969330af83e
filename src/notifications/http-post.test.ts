import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorForStatus, parseRetryAfter } from './http-post.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP-dates, and ignores what does not parse', () => {
    assert.equal(parseRetryAfter('120', NOW), 120_000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', NOW), 30_000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', NOW), 0);
    assert.equal(parseRetryAfter('soon', NOW), undefined);
    assert.equal(parseRetryAfter(null, NOW), undefined);
  });
});

describe('errorForStatus', () => {
  it('passes 2xx and sorts the rest into retryable and permanent', () => {
    assert.equal(errorForStatus('webhook', 204, null, NOW), undefined);
    const cases: [number, string, boolean][] = [
      [500, 'SERVER_ERROR', true],
      [503, 'SERVER_ERROR', true],
      [429, 'RATE_LIMITED', true],
      [408, 'TIMEOUT', true],
      [400, 'REJECTED', false],
      [403, 'REJECTED', false],
      [404, 'REJECTED', false],
      [301, 'REJECTED', false],
    ];
    for (const [status, code, retryable] of cases) {
      const error = errorForStatus('webhook', status, null, NOW);
      assert.deepEqual(
        [error?.code, error?.retryable, error?.status],
        [code, retryable, status],
        String(status),
      );
    }
  });

  it('honours Retry-After on 429 and 503 as a hint', () => {
    assert.equal(errorForStatus('webhook', 429, '3', NOW)?.retryAfterMs, 3_000);
    assert.equal(errorForStatus('webhook', 503, '4', NOW)?.retryAfterMs, 4_000);
    assert.equal(errorForStatus('webhook', 429, null, NOW)?.retryAfterMs, undefined);
  });
});
