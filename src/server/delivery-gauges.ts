// Prometheus gauges of the delivery figures over the default window (production, the last 90
// days), computed from the event log at scrape time: two indexed reads of the window's events.
import { Gauge, type Registry } from 'prom-client';
import { DEFAULT_SLO, type ResolvedSlo } from '../config/slo-schema.js';
import type { DeliveryMetrics } from '../metrics/delivery-metrics.js';
import { loadDeliveryMetrics } from '../metrics/load-delivery.js';
import { metricsWindow } from '../metrics/metrics-window.js';
import type { Clock, Store } from '../store/store.js';

/** The environment and window of the gauges. */
export const GAUGE_ENVIRONMENT = 'production';
const GAUGE_SINCE = '90d';

/** What the gauges are read from; `slo` is undefined when the project's config cannot be read. */
export interface DeliveryGaugeDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly slo: () => Promise<ResolvedSlo | undefined>;
}

/** One gauge per figure: its name, help and where its value is in the figures. */
const FIGURES: readonly (readonly [string, string, (m: DeliveryMetrics) => number | null])[] = [
  ['deploys', 'Completed deploys', (m) => m.deployment_frequency.deploys],
  ['deploys_per_week', 'Completed deploys per week', (m) => m.deployment_frequency.per_week],
  ['lead_time_median_hours', 'Median hours from commit to production', (m) => m.lead_time.median_hours],
  ['change_failure_rate', 'Share of deploys that failed (0..1)', (m) => m.change_failure_rate.rate],
  [
    'time_to_restore_median_hours',
    'Median hours from a failure to its recovery',
    (m) => m.time_to_restore.median_hours,
  ],
  ['rollback_rate', 'Share of deploys rolled back or aborted (0..1)', (m) => m.rollback_rate],
  ['deploy_success_rate', 'Share of deploys that completed (0..1)', (m) => m.deploy_success_rate],
  ['pipeline_p95_minutes', '95th percentile of pipeline run minutes', (m) => m.pipeline.p95_minutes],
  [
    'zero_downtime_share',
    'Share of measured rollouts in which the router failed no request (0..1)',
    (m) => m.zero_downtime.share,
  ],
  [
    'rollback_time_max_seconds',
    'Longest seconds from a rollback decision to traffic restored',
    (m) => m.rollback_time.max_seconds,
  ],
];

/** The `slipway_delivery_*` gauges on `registry`; `refresh` recomputes them (a null figure is left out). */
export class DeliveryGauges {
  private readonly figures: readonly (readonly [
    Gauge<'environment'>,
    (m: DeliveryMetrics) => number | null,
  ])[];
  private readonly sloMet: Gauge<'environment' | 'slo'>;

  constructor(
    registry: Registry,
    private readonly deps: DeliveryGaugeDeps,
  ) {
    const scope = `, ${GAUGE_ENVIRONMENT}, last ${GAUGE_SINCE}`;
    this.figures = FIGURES.map(([name, help, read]) => [
      new Gauge({
        name: `slipway_delivery_${name}`,
        help: `${help}${scope}`,
        labelNames: ['environment'] as const,
        registers: [registry],
      }),
      read,
    ]);
    this.sloMet = new Gauge({
      name: 'slipway_delivery_slo_met',
      help: `1 when the success target is met, 0 when missed (absent with nothing to measure)${scope}`,
      labelNames: ['environment', 'slo'] as const,
      registers: [registry],
    });
  }

  /** Computes the window's figures now and sets every gauge. */
  async refresh(): Promise<void> {
    const window = metricsWindow({ since: GAUGE_SINCE }, this.deps.clock.now());
    const slo = await this.deps.slo();
    const metrics = await loadDeliveryMetrics(
      this.deps.store,
      window,
      { environment: GAUGE_ENVIRONMENT },
      slo ?? DEFAULT_SLO,
    );
    const labels = { environment: GAUGE_ENVIRONMENT };
    for (const [gauge, read] of this.figures) {
      gauge.reset();
      const value = read(metrics);
      if (value !== null) gauge.set(labels, value);
    }
    this.sloMet.reset();
    // Without the project's own targets, met or missed would be judged against the wrong ones.
    if (slo === undefined) return;
    for (const result of metrics.slo)
      if (result.met !== null) this.sloMet.set({ ...labels, slo: result.name }, result.met ? 1 : 0);
  }
}
