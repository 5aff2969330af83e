// Renders router metrics in the Prometheus text exposition format (version 0.0.4).

import type { RevisionMetrics, RouterMetricsSnapshot } from '../platform/traffic-metrics.js';
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
  ['requests_total', 'requests'],
  ['responses_5xx_total', 'status5xx'],
  ['connection_errors_total', 'connectionErrors'],
] as const;

/** The metric families of one kind of series (per revision, per flag variant) and their help texts. */
interface Family {
  readonly prefix: string;
  readonly help: Readonly<Record<(typeof COUNTERS)[number][1] | 'latency', string>>;
}

const REVISIONS: Family = {
  prefix: 'slipway_router_',
  help: {
    requests: 'Requests routed to a revision.',
    status5xx: 'Responses with a 5xx status, including those the router generates.',
    connectionErrors: 'Upstream connect failures, resets and timeouts.',
    latency: 'Time from request arrival to response end.',
  },
};

const VARIANTS: Family = {
  prefix: 'slipway_router_flag_variant_',
  help: {
    requests: 'Requests whose response named the flag variant (x-slipway-flag-variants).',
    status5xx: 'Responses naming the flag variant with a 5xx status, including those the router generates.',
    connectionErrors: 'Upstream resets and timeouts after a response head named the flag variant.',
    latency: 'Time from request arrival to response end, per flag variant the response named.',
  },
};

/** One series' label set (rendered) and counters. */
interface Series {
  readonly labels: string;
  readonly metrics: RevisionMetrics;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** The snapshot's labels, then `own` (which win over a snapshot label of the same name). */
function labelSet(labels: Readonly<Record<string, string>>, own: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) {
    if (Object.hasOwn(own, name)) continue;
    parts.push(`${labelName(name)}="${escapeLabelValue(value)}"`);
  }
  for (const [name, value] of Object.entries(own)) parts.push(`${name}="${escapeLabelValue(value)}"`);
  return parts.join(',');
}

/** Seconds without float noise such as 0.30000000000000004. */
function seconds(ms: number): string {
  return String(Number((ms / 1000).toPrecision(6)));
}

function renderFamily(lines: string[], family: Family, series: readonly Series[]): void {
  for (const [suffix, field] of COUNTERS) {
    const metric = `${family.prefix}${suffix}`;
    lines.push(`# HELP ${metric} ${family.help[field]}`, `# TYPE ${metric} counter`);
    for (const { labels, metrics } of series) lines.push(`${metric}{${labels}} ${metrics[field]}`);
  }
  const duration = `${family.prefix}request_duration_seconds`;
  lines.push(`# HELP ${duration} ${family.help.latency}`, `# TYPE ${duration} histogram`);
  for (const { labels, metrics } of series) {
    const { bounds, counts, sumMs, count } = metrics.latency;
    let cumulative = 0;
    let next = 0;
    for (const i of EXPOSED_BUCKETS) {
      for (; next <= i; next++) cumulative += counts[next] ?? 0;
      lines.push(`${duration}_bucket{${labels},le="${seconds(bounds[i]!)}"} ${cumulative}`);
    }
    lines.push(`${duration}_bucket{${labels},le="+Inf"} ${count}`);
    lines.push(`${duration}_sum{${labels}} ${seconds(sumMs)}`);
    lines.push(`${duration}_count{${labels}} ${count}`);
  }
}

/** `flag=variant` split at its first `=`. */
function flagAndVariant(pair: string): Record<string, string> {
  const equals = pair.indexOf('=');
  return equals === -1
    ? { flag: pair, variant: '' }
    : { flag: pair.slice(0, equals), variant: pair.slice(equals + 1) };
}

/**
 * Prometheus text for the given snapshots: three counters and a latency histogram per revision
 * (`slipway_router_*{...,revision}`) and, when a snapshot has flag variants, per flag variant
 * (`slipway_router_flag_variant_*{...,flag,variant}`).
 */
export function renderPrometheus(snapshots: readonly LabelledSnapshot[]): string {
  const lines: string[] = [];
  const revisions: Series[] = [];
  const variants: Series[] = [];
  for (const { labels, snapshot } of snapshots) {
    for (const [revision, metrics] of Object.entries(snapshot.revisions))
      revisions.push({ labels: labelSet(labels, { revision }), metrics });
    for (const [pair, metrics] of Object.entries(snapshot.variants ?? {}))
      variants.push({ labels: labelSet(labels, flagAndVariant(pair)), metrics });
  }
  renderFamily(lines, REVISIONS, revisions);
  if (variants.length > 0) renderFamily(lines, VARIANTS, variants);
  return `${lines.join('\n')}\n`;
}
