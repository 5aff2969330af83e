/**
 * The schema of rollout analysis: the metrics a strategy watches (each parsed once, here, into a
 * `ResolvedMetricCheck` with rates in percent and latencies in milliseconds) and how tolerant the
 * verdicts are (`environments.<env>.analysis`).
 */
import { z } from 'zod';
import { parseDuration, parsePercent } from './duration.js';
import { duration, identifier } from './fields.js';
import type { ResolvedMetricCheck, ResolvedMetricProvider } from './resolved.js';
import { didYouMean } from './suggest.js';

/** How each metric the router measures is compared when it is named without a threshold. */
export const BUILTIN_METRICS = {
  error_rate: { unit: 'percent', defaults: { max: 1 } },
  latency: { unit: 'ms', defaults: { quantile: 'p99', max: 500 } },
  success_rate: { unit: 'percent', defaults: { min: 99 } },
} as const satisfies Record<string, { unit: 'percent' | 'ms'; defaults: Partial<ResolvedMetricCheck> }>;

type BuiltinMetric = keyof typeof BUILTIN_METRICS;
const QUANTILES = ['p50', 'p95', 'p99'] as const;

const threshold = z
  .union([z.number(), z.string()])
  .describe(
    'A rate in percent (`1%` or `1`), a latency (`300ms`, or a number of ms) or, for a custom metric, a number.',
  );
const ratio = z
  .number()
  .positive()
  .describe(
    "Fails when the new revision's value exceeds the stable revision's over the same window times this.",
  );

/** Where a metric's value comes from. */
export const metricProviderSchema = z
  .union([
    z
      .literal('router')
      .describe("The router's own per-revision metrics (error_rate, latency, success_rate)."),
    z
      .strictObject({
        prometheus: z
          .strictObject({
            address: z.url().describe('Base URL of the Prometheus server, e.g. `http://127.0.0.1:9090`.'),
            query: z
              .string()
              .min(1)
              .describe('PromQL instant query; `{{revision}}` is replaced by the revision measured.'),
          })
          .describe('A PromQL query whose first sample is the value.'),
      })
      .describe('Measure with a Prometheus query.'),
    z
      .strictObject({
        http: z
          .strictObject({
            url: z.url().describe('URL returning JSON; `{{revision}}` is replaced by the revision measured.'),
            path: z.string().min(1).describe('Dot path to the number in the JSON, e.g. `data.errorRate`.'),
          })
          .describe('A JSON endpoint and the dot path of the value in it.'),
      })
      .describe('Measure with an HTTP endpoint returning JSON.'),
    z
      .strictObject({
        command: z
          .string()
          .min(1)
          .describe(
            'Shell command; the metric passes when it exits 0 (SLIPWAY_REVISION names the revision).',
          ),
      })
      .describe("Measure with a command's exit code."),
  ])
  .describe('Where the value comes from (default `router`).');

const quantileSchema = z
  .strictObject({
    max: threshold.optional().describe('Fails above this latency, e.g. `300ms`.'),
    maxRatio: ratio.optional(),
  })
  .describe('Thresholds on one latency quantile.');

/** The settings of one metric: thresholds, latency quantiles and the provider. */
export const metricSettingsSchema = z
  .strictObject({
    max: threshold.optional().describe('Fails above this value.'),
    min: threshold.optional().describe('Fails below this value.'),
    maxRatio: ratio.optional(),
    p50: quantileSchema.optional().describe('Thresholds on the median latency (latency only).'),
    p95: quantileSchema.optional().describe('Thresholds on the 95th percentile latency (latency only).'),
    p99: quantileSchema.optional().describe('Thresholds on the 99th percentile latency (latency only).'),
    provider: metricProviderSchema.optional(),
  })
  .describe(
    'Thresholds and provider of one metric; without a threshold a built-in metric keeps its default.',
  );

type MetricSettings = z.output<typeof metricSettingsSchema>;
type Issues = { push(issue: { code: 'custom'; input: unknown; message: string; path: PropertyKey[] }): void };

/**
 * One entry of `metrics:`: a built-in name (`error_rate` max 1%, `latency` p99 max 500ms,
 * `success_rate` min 99%) or a one-key mapping from a name to its settings.
 */
export const metricSchema = z
  .union([
    identifier.describe('A metric the router measures, with its default threshold.'),
    z
      .record(identifier, metricSettingsSchema)
      .describe('One metric name mapped to its thresholds and provider, e.g. `{ error_rate: { max: 2% } }`.'),
  ])
  .transform((item, ctx): ResolvedMetricCheck[] => resolveMetric(item, ctx.issues as unknown as Issues));

/** A strategy's `metrics:` list, flattened into one check per compared value. */
export const metricsSchema = z
  .array(metricSchema)
  .prefault(['error_rate'])
  .transform((items) => items.flat())
  .describe(
    'Metrics analysed while the new revision takes traffic: `error_rate` (max 1%), `latency` (p99 max 500ms), `success_rate` (min 99%), or custom ones with a provider.',
  );

/** How often metrics are measured and how many bad measurements a rollout tolerates (Argo Rollouts semantics). */
export const analysisSchema = z
  .strictObject({
    interval: duration.prefault('1s').describe('Time between measurements.'),
    failureLimit: z
      .int()
      .min(0)
      .default(1)
      .describe(
        'Failed measurements tolerated; one more fails the analysis (and rolls back with autoRollback).',
      ),
    inconclusiveLimit: z
      .int()
      .min(0)
      .default(3)
      .describe('Inconclusive measurements tolerated; one more pauses the rollout for `slipway promote`.'),
    consecutiveErrorLimit: z
      .int()
      .min(0)
      .default(4)
      .describe('Measurements in a row that could not be taken (provider errors) tolerated; one more fails.'),
    minRequests: z
      .int()
      .min(0)
      .default(20)
      .describe('Requests a revision needs in a window for a router metric to count; fewer is inconclusive.'),
  })
  .describe('How metrics are measured and judged during a rollout.');

function resolveMetric(item: string | Record<string, MetricSettings>, issues: Issues): ResolvedMetricCheck[] {
  const problem = (path: PropertyKey[], message: string) => {
    issues.push({ code: 'custom', input: item, message, path });
  };
  const builtins = Object.keys(BUILTIN_METRICS);
  if (typeof item === 'string') {
    if (isBuiltin(item))
      return [{ name: item, provider: { kind: 'router' }, ...BUILTIN_METRICS[item].defaults }];
    problem(
      [],
      `unknown metric '${item}'${didYouMean(item, builtins)}: the router measures ${builtins.join(', ')}; a custom metric needs a provider and a threshold`,
    );
    return [];
  }
  const names = Object.keys(item);
  if (names.length !== 1) {
    problem([], `a metric entry names one metric, got ${names.length === 0 ? 'none' : names.join(', ')}`);
    return [];
  }
  const name = names[0]!;
  const settings = item[name]!;
  const provider = resolveProvider(settings.provider);
  const builtin = isBuiltin(name) ? BUILTIN_METRICS[name] : undefined;
  if (!builtin && provider.kind === 'router') {
    problem(
      [name],
      `the router does not measure '${name}'${didYouMean(name, builtins)}: give a custom metric a \`provider\``,
    );
    return [];
  }
  const unit = builtin?.unit ?? 'number';
  const bounds = (base: PropertyKey[], s: Thresholds): Thresholds<number> => {
    const out: { -readonly [K in keyof Thresholds<number>]: Thresholds<number>[K] } = {};
    for (const key of ['max', 'min'] as const) {
      const raw = s[key];
      if (raw === undefined) continue;
      const parsed = parseThreshold(raw, unit);
      if (parsed === undefined)
        problem([...base, key], `invalid threshold '${raw}' for ${name}: ${UNIT_HINT[unit]}`);
      else out[key] = parsed;
    }
    if (s.maxRatio !== undefined) out.maxRatio = s.maxRatio;
    return out;
  };
  const quantiles = QUANTILES.filter((q) => settings[q] !== undefined);
  if (quantiles.length > 0 && name !== 'latency') {
    problem([name, quantiles[0]!], `quantiles apply to latency only, not to '${name}'`);
    return [];
  }
  const hasTop = settings.max !== undefined || settings.min !== undefined || settings.maxRatio !== undefined;
  if (provider.kind === 'command') {
    if (hasTop || quantiles.length > 0)
      problem([name], 'a command metric passes on exit 0; it takes no `max`, `min`, `maxRatio` or quantiles');
    return [{ name, provider }];
  }
  if (name === 'latency' && settings.min !== undefined) {
    problem([name, 'min'], 'latency takes `max` or `maxRatio`, not `min`');
    return [];
  }
  if (!hasTop && quantiles.length === 0) {
    if (builtin) return [{ name, provider, ...builtin.defaults }];
    problem([name], `custom metric '${name}' needs a threshold: \`max\`, \`min\` or \`maxRatio\``);
    return [];
  }
  const checks: ResolvedMetricCheck[] = [];
  const quantile = name === 'latency' ? { quantile: 'p99' as const } : {};
  if (hasTop) checks.push({ name, provider, ...quantile, ...bounds([name], settings) });
  for (const q of quantiles) checks.push({ name, provider, quantile: q, ...bounds([name, q], settings[q]!) });
  return checks;
}

type Thresholds<T = number | string> = { readonly max?: T; readonly min?: T; readonly maxRatio?: number };

const UNIT_HINT = {
  percent: 'write a percentage such as 1% or 0.5',
  ms: 'write a duration such as 300ms or a number of milliseconds',
  number: 'write a number (or a percentage such as 5%, or a duration such as 300ms)',
} as const;

function parseThreshold(raw: number | string, unit: 'percent' | 'ms' | 'number'): number | undefined {
  if (unit === 'percent') return parsePercent(raw);
  if (typeof raw === 'number') return unit === 'ms' && raw < 0 ? undefined : raw;
  if (unit === 'ms') return parseDuration(raw);
  if (/^\s*-?\d+(?:\.\d+)?\s*$/.test(raw)) return Number(raw);
  return /%\s*$/.test(raw) ? parsePercent(raw) : parseDuration(raw);
}

function resolveProvider(provider: MetricSettings['provider']): ResolvedMetricProvider {
  if (provider === undefined || provider === 'router') return { kind: 'router' };
  if ('prometheus' in provider) return { kind: 'prometheus', ...provider.prometheus };
  if ('http' in provider) return { kind: 'http', ...provider.http };
  return { kind: 'command', command: provider.command };
}

function isBuiltin(name: string): name is BuiltinMetric {
  return Object.hasOwn(BUILTIN_METRICS, name);
}
