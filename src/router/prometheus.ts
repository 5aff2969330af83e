// Renders router metrics in the Prometheus text exposition format (version 0.0.4).

import type { RouterMetricsSnapshot } from '../platform/traffic-metrics.js';
import { LATENCY_BOUNDS_MS } from './histogram.js';

/** One router's snapshot and the labels (e.g. service, env) that identify it. */
export interface LabelledSnapshot {
  readonly labels: Readonly<Record<string, string>>;
  readonly snapshot: RouterMetricsSnapshot;
}

// Exposing all ~150 fine buckets would make 150 series per revision; every 8th bound (a factor of
// about 2.1) plus the last keeps ~20. The counts stay exact because these are real bucket bounds.
const EXPOSED_BUCKETS: readonly number[] = LATENCY_BOUNDS_MS.map((_, i) => i).filter(
  (i) => i % 8 === 0 || i === LATENCY_BOUNDS_MS.length - 1,
);

const COUNTERS = [
  ['slipway_router_requests_total', 'Requests routed to a revision.', 'requests'],
  [
    'slipway_router_responses_5xx_total',
    'Responses with a 5xx status, including those the router generates.',
    'status5xx',
  ],
  [
    'slipway_router_connection_errors_total',
    'Upstream connect failures, resets and timeouts.',
    'connectionErrors',
  ],
] as const;

const DURATION = 'slipway_router_request_duration_seconds';

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

function labelSet(labels: Readonly<Record<string, string>>, revision: string): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) {
    if (name === 'revision') continue;
    parts.push(`${labelName(name)}="${escapeLabelValue(value)}"`);
  }
  parts.push(`revision="${escapeLabelValue(revision)}"`);
  return parts.join(',');
}

/** Seconds without float noise such as 0.30000000000000004. */
function seconds(ms: number): string {
  return String(Number((ms / 1000).toPrecision(6)));
}

/** Prometheus text for the given snapshots: three counters and a latency histogram per revision. */
export function renderPrometheus(snapshots: readonly LabelledSnapshot[]): string {
  const lines: string[] = [];
  for (const [metric, help, field] of COUNTERS) {
    lines.push(`# HELP ${metric} ${help}`, `# TYPE ${metric} counter`);
    for (const { labels, snapshot } of snapshots) {
      for (const [revision, metrics] of Object.entries(snapshot.revisions)) {
        lines.push(`${metric}{${labelSet(labels, revision)}} ${metrics[field]}`);
      }
    }
  }
  lines.push(`# HELP ${DURATION} Time from request arrival to response end.`, `# TYPE ${DURATION} histogram`);
  for (const { labels, snapshot } of snapshots) {
    for (const [revision, metrics] of Object.entries(snapshot.revisions)) {
      const set = labelSet(labels, revision);
      const { bounds, counts, sumMs, count } = metrics.latency;
      let cumulative = 0;
      let next = 0;
      for (const i of EXPOSED_BUCKETS) {
        for (; next <= i; next++) cumulative += counts[next] ?? 0;
        lines.push(`${DURATION}_bucket{${set},le="${seconds(bounds[i]!)}"} ${cumulative}`);
      }
      lines.push(`${DURATION}_bucket{${set},le="+Inf"} ${count}`);
      lines.push(`${DURATION}_sum{${set}} ${seconds(sumMs)}`);
      lines.push(`${DURATION}_count{${set}} ${count}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
