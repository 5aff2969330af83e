import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DAY, durationBand, failureBand, frequencyBand, percentile } from './four-keys.js';

describe('Four Keys bands', () => {
  test('percentile interpolates like PERCENTILE_CONT', () => {
    assert.equal(percentile([], 0.5), undefined);
    assert.equal(percentile([7], 0.5), 7);
    assert.equal(percentile([4, 1, 3, 2], 0.5), 2.5);
    assert.equal(percentile([10, 20, 30, 40, 50], 0.95), 48);
  });

  test('lead time and time to restore: one day < 24 h <= one week < 168 h <= one month < 730 h <= six months < 4380 h', () => {
    assert.equal(durationBand(0.5), 'one day');
    assert.equal(durationBand(23.99), 'one day');
    assert.equal(durationBand(24), 'one week');
    assert.equal(durationBand(167.9), 'one week');
    assert.equal(durationBand(168), 'one month');
    assert.equal(durationBand(729.9), 'one month');
    assert.equal(durationBand(730), 'six months');
    assert.equal(durationBand(4379), 'six months');
    assert.equal(durationBand(4380), 'one year');
  });

  test('change failure rate: <= 15%, < 46%, else 46-60%', () => {
    assert.equal(failureBand(0), '0-15%');
    assert.equal(failureBand(0.15), '0-15%');
    assert.equal(failureBand(0.1501), '16-45%');
    assert.equal(failureBand(0.4599), '16-45%');
    assert.equal(failureBand(0.46), '46-60%');
    assert.equal(failureBand(1), '46-60%');
  });

  // 2026-03-01 is a Sunday: weeks start there, as BigQuery's WEEK truncation does.
  const start = Date.UTC(2026, 2, 1);
  const day = (n: number, hour = 10) => start + n * DAY + hour * 3_600_000;
  const to = start + 28 * DAY - 1; // four whole weeks

  test('deployment frequency: three days a week is daily, two is weekly', () => {
    const threeDays = [0, 7, 14, 21].flatMap((w) => [day(w + 1), day(w + 2), day(w + 3), day(w + 3, 15)]);
    assert.equal(frequencyBand(threeDays, start, to), 'daily');
    const twoDays = [0, 7, 14, 21].flatMap((w) => [day(w + 1), day(w + 4)]);
    assert.equal(frequencyBand(twoDays, start, to), 'weekly');
  });

  test('deployment frequency: most weeks without a deploy is monthly; none at all is yearly', () => {
    assert.equal(frequencyBand([day(2), day(9), day(16)], start, to), 'weekly');
    assert.equal(frequencyBand([day(2), day(9)], start, to), 'monthly'); // half the weeks: the median is 0.5
    assert.equal(frequencyBand([day(2)], start, to), 'monthly');
    assert.equal(frequencyBand([], start, to), 'yearly');
    // Over three months with one deploy in the first: most weeks' months have none.
    assert.equal(frequencyBand([day(2)], start, start + 91 * DAY), 'yearly');
  });
});
