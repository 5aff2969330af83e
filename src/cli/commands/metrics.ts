/** `slipway metrics`: the delivery figures (four keys, rollbacks, SLOs) of a window, from the event log. */
import { DEFAULT_SLO, type ResolvedSlo } from '../../config/slo-schema.js';
import { isSlipwayError } from '../../errors/slipway-error.js';
import type { DeliveryMetrics, SloResult } from '../../metrics/delivery-metrics.js';
import { loadDeliveryMetrics } from '../../metrics/load-delivery.js';
import { metricsWindow } from '../../metrics/metrics-window.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { loadProject, openProjectStore, projectDirOf } from '../project.js';
import { remoteClient } from '../remote/remote-context.js';

/** Options of `slipway metrics`. */
export interface MetricsOptions {
  readonly service?: string;
  readonly env?: string;
  readonly since?: string;
  readonly until?: string;
}

const pct = (share: number | null) => (share === null ? 'n/a' : `${Number((share * 100).toFixed(2))}%`);
const num = (value: number | null, unit: string) => (value === null ? 'n/a' : `${value} ${unit}`);

const SLO_TEXT: Record<SloResult['name'], { label: string; show: (v: number) => string; op: string }> = {
  zero_downtime: { label: 'zero downtime', show: (v) => pct(v), op: '>=' },
  deploy_success_rate: { label: 'deploy success rate', show: (v) => pct(v), op: '>' },
  rollback_time: { label: 'rollback time (max)', show: (v) => `${v} s`, op: '<' },
  pipeline_duration: { label: 'pipeline duration (p95)', show: (v) => `${v} min`, op: '<' },
  time_to_production: { label: 'time to production', show: (v) => `${v} h`, op: '<' },
};

/** The figures as text, one per line, with their bands and the SLOs met or missed. */
function printMetrics(ctx: CommandContext, m: DeliveryMetrics, what: string): void {
  const out = ctx.output;
  const band = (b: string | null) => (b === null ? '' : `  [${b}]`);
  const row = (label: string, text: string) => out.line(`  ${label.padEnd(22)} ${text}`);
  out.line(`Delivery of ${what}, ${m.window.from.slice(0, 10)} to ${m.window.to.slice(0, 10)}`);
  const f = m.deployment_frequency;
  row('deployment frequency', `${f.deploys} deploys, ${f.per_week} per week${band(f.band)}`);
  row('lead time', `median ${num(m.lead_time.median_hours, 'h')}${band(m.lead_time.band)}`);
  const c = m.change_failure_rate;
  row('change failure rate', `${c.failed} of ${c.deploys} deploys failed (${pct(c.rate)})${band(c.band)}`);
  row('time to restore', `median ${num(m.time_to_restore.median_hours, 'h')}${band(m.time_to_restore.band)}`);
  row('rollback rate', pct(m.rollback_rate));
  row('deploy success rate', pct(m.deploy_success_rate));
  const p = m.pipeline;
  row(
    'pipeline duration',
    `p50 ${num(p.p50_minutes, 'min')}, p95 ${num(p.p95_minutes, 'min')} (budget ${p.budget_minutes} min)`,
  );
  row('time to production', `mean ${num(m.time_to_production.mean_hours, 'h')}`);
  const z = m.zero_downtime;
  row('zero downtime', `${z.clean} of ${z.rollouts} rollouts without a failed request (${pct(z.share)})`);
  const r = m.rollback_time;
  row('rollback time', `median ${num(r.median_seconds, 's')}, max ${num(r.max_seconds, 's')}`);
  out.line('Success targets');
  for (const s of m.slo) {
    const text = SLO_TEXT[s.name];
    const mark =
      s.met === null
        ? out.paint('gray', 'no data')
        : s.met
          ? out.paint('green', 'met    ')
          : out.paint('red', 'missed ');
    const value = s.value === null ? 'n/a' : text.show(s.value);
    out.line(`  ${mark} ${text.label.padEnd(24)} ${value} (target ${text.op} ${text.show(s.target)})`);
  }
}

/** The project's success targets: its `slo:`, else the defaults (also when there is no slipway.yaml). */
async function sloOf(ctx: CommandContext): Promise<ResolvedSlo> {
  try {
    return (await loadProject(ctx)).config.slo ?? DEFAULT_SLO;
  } catch (error) {
    if (isSlipwayError(error) && error.code === 'CONFIG_NOT_FOUND') return DEFAULT_SLO;
    throw error;
  }
}

/** Prints the delivery figures of the window for one environment (default production). */
export async function metricsCommand(ctx: CommandContext, options: MetricsOptions): Promise<number> {
  const environment = options.env ?? 'production';
  const what = `${options.service ?? 'all services'} in ${environment}`;
  const client = remoteClient(ctx);
  let metrics: DeliveryMetrics;
  if (client) {
    metrics = await client.get<DeliveryMetrics>('/api/v1/metrics/delivery', {
      service: options.service,
      env: environment,
      since: options.since,
      until: options.until,
    });
  } else {
    const window = metricsWindow(options, Date.now());
    const slo = await sloOf(ctx);
    const store = await openProjectStore(ctx, projectDirOf(ctx));
    try {
      const filter = { environment, ...(options.service !== undefined ? { service: options.service } : {}) };
      metrics = await loadDeliveryMetrics(store, window, filter, slo);
    } finally {
      await store.close();
    }
  }
  if (ctx.output.json) ctx.output.data(metrics);
  else printMetrics(ctx, metrics, what);
  return ExitCode.Ok;
}
