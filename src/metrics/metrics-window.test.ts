import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSlipwayError } from '../errors/slipway-error.js';
import { metricsWindow } from './metrics-window.js';

const now = Date.UTC(2026, 11, 6, 12);

test('the default window is the 90 days up to now', () => {
  assert.deepEqual(metricsWindow({}, now), { from: now - 90 * 86_400_000, to: now });
});

test('--since takes a duration back from --until, or a date', () => {
  const until = Date.UTC(2026, 5, 1);
  assert.deepEqual(metricsWindow({ since: '7d', until: '2026-06-01' }, now), {
    from: until - 7 * 86_400_000,
    to: until,
  });
  assert.deepEqual(metricsWindow({ since: '2026-01-01' }, now), { from: Date.UTC(2026, 0, 1), to: now });
  assert.deepEqual(metricsWindow({ since: '2026-01-01T06:00:00Z', until: '2026-01-02T06:00:00Z' }, now), {
    from: Date.UTC(2026, 0, 1, 6),
    to: Date.UTC(2026, 0, 2, 6),
  });
});

test('a malformed or empty window is a usage error naming the flag', () => {
  for (const [options, pattern] of [
    [{ since: 'yesterday' }, /--since takes a date .* got 'yesterday'/],
    [{ until: '2026-13-45' }, /--until takes a date/],
    [{ since: '2026-02-01', until: '2026-01-01' }, /the window is empty/],
  ] as const) {
    assert.throws(
      () => metricsWindow(options, now),
      (error) => isSlipwayError(error) && error.kind === 'usage' && pattern.test(error.message),
    );
  }
});
