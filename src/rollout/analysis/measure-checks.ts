/** One interval's measurements of a list of metric checks: the router's own counters for router metrics, the external providers for the rest. */
import type { RevisionMetrics } from '../../platform/traffic-metrics.js';
import type { Measurement, MetricCheck } from './analysis-types.js';
import { measureExternal } from './external-providers.js';
import { measureRouter } from './measure-router.js';

/** Measures every check, in order: `window` holds the new side's (and the baseline's) router counters; `vars` fill external queries. */
export function measureChecks(
  checks: readonly MetricCheck[],
  window: { readonly canary?: RevisionMetrics | undefined; readonly stable?: RevisionMetrics | undefined },
  minRequests: number,
  vars: Readonly<Record<string, string>>,
): Promise<Measurement[]> {
  const { canary, stable } = window;
  const counters = { ...(canary ? { canary } : {}), ...(stable ? { stable } : {}) };
  return Promise.all(
    checks.map((check) =>
      check.provider.kind === 'router'
        ? Promise.resolve(measureRouter(check, counters, minRequests))
        : measureExternal(check, vars),
    ),
  );
}
