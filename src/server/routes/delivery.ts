// Delivery metrics routes: the figures of a window (the Four Keys, rollbacks, SLOs), exactly what
// `slipway metrics --json` prints, and the same figures week by week for the dashboard's charts.
import { z } from 'zod';
import { DEFAULT_SLO } from '../../config/slo-schema.js';
import type { FactFilter } from '../../metrics/delivery-facts.js';
import { loadDeliveryFacts, loadDeliveryMetrics } from '../../metrics/load-delivery.js';
import { metricsWindow } from '../../metrics/metrics-window.js';
import { weeklySeries } from '../../metrics/weekly-series.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { AUTH_ERRORS } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

/** The environment the figures are for when the query names none. */
export const DEFAULT_ENVIRONMENT = 'production';

const WindowQuery = z.strictObject({
  service: z.string().min(1).optional().describe('one service (default: all of them)'),
  env: z.string().min(1).optional().describe(`the environment (default ${DEFAULT_ENVIRONMENT})`),
  since: z
    .string()
    .optional()
    .describe('start of the window: a duration back from `until` (90d, 12h) or a date (default 90d)'),
  until: z.string().optional().describe('end of the window: a date (default now)'),
});

const band = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values).nullable();
const DURATION_BANDS = ['one day', 'one week', 'one month', 'six months', 'one year'] as const;

const DeliveryMetricsSchema = z
  .object({
    window: z.object({ from: z.string(), to: z.string() }),
    deployment_frequency: z.object({
      deploys: z.number().int(),
      per_week: z.number(),
      band: z.enum(['daily', 'weekly', 'monthly', 'yearly']),
    }),
    lead_time: z.object({ median_hours: z.number().nullable(), band: band(DURATION_BANDS) }),
    change_failure_rate: z.object({
      failed: z.number().int(),
      deploys: z.number().int(),
      rate: z.number().nullable(),
      band: band(['0-15%', '16-45%', '46-60%']),
    }),
    time_to_restore: z.object({ median_hours: z.number().nullable(), band: band(DURATION_BANDS) }),
    rollback_rate: z.number().nullable(),
    deploy_success_rate: z.number().nullable(),
    pipeline: z.object({
      p50_minutes: z.number().nullable(),
      p95_minutes: z.number().nullable(),
      budget_minutes: z.number(),
    }),
    time_to_production: z.object({ mean_hours: z.number().nullable() }),
    zero_downtime: z.object({
      rollouts: z.number().int(),
      clean: z.number().int(),
      share: z.number().nullable(),
    }),
    rollback_time: z.object({ median_seconds: z.number().nullable(), max_seconds: z.number().nullable() }),
    slo: z.array(
      z.object({
        name: z.enum([
          'zero_downtime',
          'deploy_success_rate',
          'rollback_time',
          'pipeline_duration',
          'time_to_production',
        ]),
        target: z.number(),
        value: z.number().nullable(),
        met: z.boolean().nullable(),
      }),
    ),
  })
  .meta({ id: 'DeliveryMetrics' });

const WeeklySchema = z
  .object({
    weeks: z.array(
      z.object({
        week: z.string().describe('the Monday (UTC) the week starts on, YYYY-MM-DD'),
        deploys: z.number().int(),
        lead_time_median_hours: z.number().nullable(),
        change_failure_rate: z.number().nullable(),
        time_to_restore_median_hours: z.number().nullable(),
      }),
    ),
  })
  .meta({ id: 'DeliveryWeeks' });

/** The window and filter of a query; a bad `since` or `until` is a MetricsError of kind usage (400). */
function windowOf(ctx: ServerContext, query: z.output<typeof WindowQuery>) {
  const window = metricsWindow(
    {
      ...(query.since !== undefined ? { since: query.since } : {}),
      ...(query.until !== undefined ? { until: query.until } : {}),
    },
    ctx.clock.now(),
  );
  const filter: FactFilter = {
    environment: query.env ?? DEFAULT_ENVIRONMENT,
    ...(query.service !== undefined ? { service: query.service } : {}),
  };
  return { window, filter };
}

/** The routes under /api/v1/metrics/delivery. */
export function deliveryRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/metrics/delivery',
      summary:
        "Delivery figures of a window: the Four Keys with their bands, rollbacks, and the project's SLOs",
      tag: 'metrics',
      role: 'viewer',
      query: WindowQuery,
      responses: {
        200: { description: 'the figures (`slipway metrics --json`)', schema: DeliveryMetricsSchema },
        ...AUTH_ERRORS,
      },
      async handler({ query }) {
        const { window, filter } = windowOf(ctx, query);
        const config = await ctx.loadConfig();
        return loadDeliveryMetrics(ctx.store, window, filter, config.slo ?? DEFAULT_SLO);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/metrics/delivery/weekly',
      summary: 'Delivery figures week by week (UTC weeks from Monday), for trend charts',
      tag: 'metrics',
      role: 'viewer',
      query: WindowQuery,
      responses: {
        200: { description: 'every week of the window, oldest first', schema: WeeklySchema },
        ...AUTH_ERRORS,
      },
      async handler({ query }) {
        const { window, filter } = windowOf(ctx, query);
        const facts = await loadDeliveryFacts(ctx.store, window, filter);
        return { weeks: weeklySeries(facts, window) };
      },
    }),
  ];
}
