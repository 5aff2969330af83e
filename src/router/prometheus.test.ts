import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { recordLatency } from './histogram.js';
import { createRevisionMetrics } from './metrics.js';
import { renderPrometheus } from './prometheus.js';

function sample() {
  const metrics = createRevisionMetrics();
  metrics.requests = 3;
  metrics.status5xx = 1;
  metrics.connectionErrors = 2;
  recordLatency(metrics.latency, 0.5);
  recordLatency(metrics.latency, 3);
  recordLatency(metrics.latency, 90_000);
  return metrics;
}

function lines(text: string, prefix: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(prefix));
}

describe('renderPrometheus', () => {
  const text = renderPrometheus([
    { labels: { service: 'web', env: 'prod' }, snapshot: { at: 0, revisions: { 'r-1': sample() } } },
    { labels: { service: 'api "v2"\\x', env: 'prod\nx' }, snapshot: { at: 0, revisions: {} } },
  ]);

  test('renders the three counters with service, env and revision labels', () => {
    assert.deepEqual(lines(text, 'slipway_router_requests_total'), [
      'slipway_router_requests_total{service="web",env="prod",revision="r-1"} 3',
    ]);
    assert.deepEqual(lines(text, 'slipway_router_responses_5xx_total'), [
      'slipway_router_responses_5xx_total{service="web",env="prod",revision="r-1"} 1',
    ]);
    assert.deepEqual(lines(text, 'slipway_router_connection_errors_total'), [
      'slipway_router_connection_errors_total{service="web",env="prod",revision="r-1"} 2',
    ]);
    assert.match(text, /^# TYPE slipway_router_requests_total counter$/m);
    assert.match(text, /^# TYPE slipway_router_request_duration_seconds histogram$/m);
    assert.ok(text.endsWith('\n'));
  });

  test('renders a cumulative histogram in seconds ending with +Inf, _sum and _count', () => {
    const buckets = lines(text, 'slipway_router_request_duration_seconds_bucket');
    assert.ok(buckets.length >= 15 && buckets.length <= 25, `${buckets.length} buckets`);
    const parsed = buckets.map((line) => {
      const match = /le="([^"]+)"\} (\d+)$/.exec(line);
      assert.ok(match, line);
      return {
        le: match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]),
        count: Number(match[2]),
      };
    });
    for (let i = 1; i < parsed.length; i++) {
      assert.ok(parsed[i]!.le > parsed[i - 1]!.le, 'bounds increase');
      assert.ok(parsed[i]!.count >= parsed[i - 1]!.count, 'counts are cumulative');
    }
    assert.deepEqual(parsed.at(-1), { le: Number.POSITIVE_INFINITY, count: 3 });
    assert.equal(parsed.find((b) => b.le >= 0.001)?.count, 1, 'the 0.5 ms request is under 1 ms');
    assert.equal(parsed.at(-2)?.count, 2, 'the 90 s request is only in +Inf');
    assert.deepEqual(lines(text, 'slipway_router_request_duration_seconds_sum'), [
      'slipway_router_request_duration_seconds_sum{service="web",env="prod",revision="r-1"} 90.0035',
    ]);
    assert.deepEqual(lines(text, 'slipway_router_request_duration_seconds_count'), [
      'slipway_router_request_duration_seconds_count{service="web",env="prod",revision="r-1"} 3',
    ]);
  });

  test('escapes label values and cleans label names', () => {
    const escaped = renderPrometheus([
      {
        labels: { 'team-name': 'a"b\\c\nd' },
        snapshot: { at: 0, revisions: { 'r-"x"': createRevisionMetrics() } },
      },
    ]);
    assert.match(
      escaped,
      /slipway_router_requests_total\{team_name="a\\"b\\\\c\\nd",revision="r-\\"x\\""\} 0/,
    );
  });

  test('renders per flag variant series only when a snapshot has variants', () => {
    assert.doesNotMatch(text, /flag_variant/);
    const withVariants = renderPrometheus([
      {
        labels: { service: 'web', env: 'prod', flag: 'spoofed' },
        snapshot: { at: 0, revisions: { 'r-1': sample() }, variants: { 'new-checkout=on': sample() } },
      },
    ]);
    const set = 'service="web",env="prod",flag="new-checkout",variant="on"';
    assert.deepEqual(lines(withVariants, 'slipway_router_flag_variant_requests_total'), [
      `slipway_router_flag_variant_requests_total{${set}} 3`,
    ]);
    assert.deepEqual(lines(withVariants, 'slipway_router_flag_variant_responses_5xx_total'), [
      `slipway_router_flag_variant_responses_5xx_total{${set}} 1`,
    ]);
    assert.deepEqual(lines(withVariants, 'slipway_router_flag_variant_connection_errors_total'), [
      `slipway_router_flag_variant_connection_errors_total{${set}} 2`,
    ]);
    assert.deepEqual(lines(withVariants, 'slipway_router_flag_variant_request_duration_seconds_count'), [
      `slipway_router_flag_variant_request_duration_seconds_count{${set}} 3`,
    ]);
    assert.equal(
      lines(withVariants, 'slipway_router_flag_variant_request_duration_seconds_bucket').length,
      lines(withVariants, 'slipway_router_request_duration_seconds_bucket').length,
    );
    assert.match(withVariants, /^# TYPE slipway_router_flag_variant_requests_total counter$/m);
    assert.match(withVariants, /^# TYPE slipway_router_flag_variant_request_duration_seconds histogram$/m);
    assert.deepEqual(lines(withVariants, 'slipway_router_requests_total'), [
      'slipway_router_requests_total{service="web",env="prod",flag="spoofed",revision="r-1"} 3',
    ]);
  });
});
