import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration, parsePercent } from './duration.js';

test('parseDuration reads every unit and compound forms', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('1m30s500ms'), 90_500);
});

test('parseDuration rejects malformed text', () => {
  for (const bad of ['', '30', 's', '10 minutes', '1h1h', '-5s', '5sec', 'abc', '1.s']) {
    assert.equal(parseDuration(bad), undefined, bad);
  }
});

test('formatDuration round-trips', () => {
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(1500), '1s500ms');
  assert.equal(formatDuration(0), '0s');
  assert.equal(parseDuration(formatDuration(93_725)), 93_725);
});

test('parsePercent accepts 5 and 5% and bounds to 0..100', () => {
  assert.equal(parsePercent(5), 5);
  assert.equal(parsePercent('5%'), 5);
  assert.equal(parsePercent('0.5%'), 0.5);
  assert.equal(parsePercent('100'), 100);
  assert.equal(parsePercent('101%'), undefined);
  assert.equal(parsePercent(-1), undefined);
  assert.equal(parsePercent('five'), undefined);
});
