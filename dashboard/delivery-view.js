// Delivery page: the Four Keys of a service (or all) in an environment over 30, 90 or 180 days,
// with their bands, the other delivery figures, weekly trend charts, the success targets (SLOs)
// met or missed, and the open incidents.
import { api, can, state } from './api.js';
import { CHARTS, chartPanel, createChart, loadChartJs, showWeeks } from './delivery-charts.js';
import { act, el, tablePanel } from './dom.js';
import { debounce, onEvent, onStop } from './live.js';

const WINDOWS = [30, 90, 180];
/** The filters, kept while the dashboard is open. */
const filters = { service: '', env: null, days: 90 };

/** Band to its Four Keys performance level: elite, high, medium or low. */
const BAND_LEVEL = {
  daily: 'elite',
  'one day': 'elite',
  '0-15%': 'elite',
  weekly: 'high',
  'one week': 'high',
  '16-45%': 'medium',
  monthly: 'medium',
  'one month': 'medium',
  '46-60%': 'low',
  yearly: 'low',
  'six months': 'low',
  'one year': 'low',
};

const pct = (share) => (share === null ? 'n/a' : `${Number((share * 100).toFixed(2))}%`);
const unit = (value, suffix) => (value === null ? 'n/a' : `${value} ${suffix}`);

const SLO_TEXT = {
  zero_downtime: { label: 'Zero downtime', show: pct, op: '≥', share: true },
  deploy_success_rate: { label: 'Deploy success rate', show: pct, op: '>', share: true },
  rollback_time: { label: 'Rollback time (max)', show: (v) => unit(v, 's'), op: '<' },
  pipeline_duration: { label: 'Pipeline duration (p95)', show: (v) => unit(v, 'min'), op: '<' },
  time_to_production: { label: 'Time to production (mean)', show: (v) => unit(v, 'h'), op: '<' },
};

/** A pill coloured by status class `status`, showing `text`. */
const badge = (status, text, title) => el('span', { class: `pill s-${status}`, title }, text);

/** One figure card: its label, value, detail and Four Keys band (if it has one). */
function figure(key, label, value, detail, band) {
  return el(
    'div',
    { class: 'panel figure', 'data-figure': key },
    el('div', { class: 'label' }, label),
    el('div', { class: 'value' }, value),
    el('div', { class: 'detail muted small' }, detail ?? ''),
    band === undefined
      ? null
      : el(
          'div',
          { class: 'band' },
          band === null
            ? el('span', { class: 'muted small' }, 'no band yet')
            : el(
                'span',
                {
                  class: `pill band-${BAND_LEVEL[band] ?? 'medium'}`,
                  title: `Four Keys band: ${BAND_LEVEL[band]}`,
                },
                band,
              ),
        ),
  );
}

function keyFigures(m) {
  const f = m.deployment_frequency;
  const c = m.change_failure_rate;
  const lead = m.lead_time;
  const restore = m.time_to_restore;
  return [
    figure('deploys', 'Deployment frequency', `${f.deploys}`, `deploys · ${f.per_week} per week`, f.band),
    figure('lead-time', 'Lead time', unit(lead.median_hours, 'h'), 'median, commit to production', lead.band),
    figure(
      'change-failure-rate',
      'Change failure rate',
      pct(c.rate),
      `${c.failed} of ${c.deploys} deploys failed`,
      c.band,
    ),
    figure(
      'time-to-restore',
      'Time to restore',
      unit(restore.median_hours, 'h'),
      'median, failure to recovery',
      restore.band,
    ),
  ];
}

function otherFigures(m) {
  return [
    figure('rollback-rate', 'Rollback rate', pct(m.rollback_rate)),
    figure('deploy-success-rate', 'Deploy success rate', pct(m.deploy_success_rate)),
    figure(
      'pipeline',
      'Pipeline p95',
      unit(m.pipeline.p95_minutes, 'min'),
      `p50 ${unit(m.pipeline.p50_minutes, 'min')}`,
    ),
    figure(
      'zero-downtime',
      'Zero downtime',
      pct(m.zero_downtime.share),
      `${m.zero_downtime.clean} of ${m.zero_downtime.rollouts} rollouts clean`,
    ),
    figure(
      'rollback-time',
      'Rollback time (max)',
      unit(m.rollback_time.max_seconds, 's'),
      `median ${unit(m.rollback_time.median_seconds, 's')}`,
    ),
    figure('time-to-production', 'Time to production', unit(m.time_to_production.mean_hours, 'h'), 'mean'),
  ];
}

/** A bar of the SLO's value against its target (the tick); shares on 0..100%, times on a scale past both. */
function sloBar(result, text) {
  if (result.value === null) return el('div', { class: 'slo-bar empty' });
  const scale = text.share ? 1 : Math.max(result.value, result.target) * 1.25 || 1;
  const width = Math.min(100, (result.value / scale) * 100);
  return el(
    'div',
    { class: 'slo-bar', title: `${text.show(result.value)} against ${text.op} ${text.show(result.target)}` },
    el('span', { class: `fill ${result.met ? 'met' : 'missed'}`, style: `width: ${width}%` }),
    el('span', { class: 'target', style: `left: ${(result.target / scale) * 100}%` }),
  );
}

function sloRows(slo) {
  return slo.map((result) => {
    const text = SLO_TEXT[result.name] ?? { label: result.name, show: String, op: '' };
    const status = result.met === null ? 'no data' : result.met ? 'met' : 'missed';
    return el(
      'tr',
      { 'data-slo': result.name, 'data-met': String(result.met) },
      el('td', {}, text.label),
      el('td', { class: 'mono' }, result.value === null ? 'n/a' : text.show(result.value)),
      el('td', { class: 'mono' }, `${text.op} ${text.show(result.target)}`),
      el('td', { class: 'wide' }, sloBar(result, text)),
      el('td', {}, badge(result.met === null ? 'idle' : result.met ? 'success' : 'failure', status)),
    );
  });
}

function select(id, options, value, onchange) {
  const node = el(
    'select',
    { id, onchange: (event) => onchange(event.target.value) },
    options.map(([v, label]) => el('option', { value: v, selected: v === value }, label)),
  );
  node.value = value;
  return node;
}

export async function deliveryView(root) {
  const project = state.project ?? (await api('GET', '/api/v1/project'));
  const environments = project.environments.length > 0 ? project.environments : ['production'];
  if (filters.env === null || !environments.includes(filters.env))
    filters.env = environments.includes('production') ? 'production' : environments[0];
  if (filters.service !== '' && !project.services.includes(filters.service)) filters.service = '';

  const keys = el('div', { class: 'figures', id: 'delivery-keys' });
  const others = el('div', { class: 'figures small-figures', id: 'delivery-others' });
  const period = el('div', { class: 'muted small', id: 'delivery-window' });
  const slo = el('tbody', { id: 'delivery-slo' });
  const incidents = el('tbody', { id: 'delivery-incidents' });
  const page = el('div', { id: 'delivery' });
  let latest = 0;
  let charts = [];
  const refresh = async () => {
    const seq = ++latest;
    const query = new URLSearchParams({ env: filters.env, since: `${filters.days}d` });
    if (filters.service !== '') query.set('service', filters.service);
    const open = new URLSearchParams({ env: filters.env, open: 'true' });
    if (filters.service !== '') open.set('service', filters.service);
    const [metrics, weekly, list] = await Promise.all([
      api('GET', `/api/v1/metrics/delivery?${query}`),
      api('GET', `/api/v1/metrics/delivery/weekly?${query}`),
      api('GET', `/api/v1/incidents?${open}`),
    ]);
    // A newer filter's answer may have come first: this one is stale.
    if (seq !== latest) return;
    period.textContent = `${metrics.window.from.slice(0, 10)} to ${metrics.window.to.slice(0, 10)}`;
    keys.replaceChildren(...keyFigures(metrics));
    others.replaceChildren(...otherFigures(metrics));
    for (const { spec, chart } of charts) showWeeks(chart, spec, weekly.weeks);
    slo.replaceChildren(...sloRows(metrics.slo));
    incidents.replaceChildren(
      ...list.incidents.map((i) => {
        const close = el('button', { type: 'button', class: 'small' }, 'Close');
        close.addEventListener('click', () =>
          act(close, `Incident ${i.id} closed`, async () => {
            await api('POST', `/api/v1/incidents/${i.id}/close`, {});
            render();
          }),
        );
        return el(
          'tr',
          { 'data-incident': i.id },
          el('td', {}, new Date(i.openedAt).toLocaleString()),
          el('td', {}, i.service),
          el('td', {}, i.environment),
          el('td', {}, i.title),
          el('td', {}, i.openedBy),
          el('td', {}, can('deployer') ? close : null),
        );
      }),
    );
    if (list.incidents.length === 0)
      incidents.append(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No open incident.')));
    page.dataset.ready = `${filters.service}|${filters.env}|${filters.days}`;
  };
  const render = () =>
    refresh().catch((error) => period.replaceChildren(el('span', { class: 'error' }, error.message)));
  const change = (key) => (value) => {
    filters[key] = key === 'days' ? Number(value) : value;
    render();
  };
  page.append(
    el('h1', {}, 'Delivery'),
    el(
      'div',
      { class: 'panel row filters' },
      el('label', { for: 'delivery-service' }, 'Service'),
      select(
        'delivery-service',
        [['', 'All services'], ...project.services.map((s) => [s, s])],
        filters.service,
        change('service'),
      ),
      el('label', { for: 'delivery-env' }, 'Environment'),
      select(
        'delivery-env',
        environments.map((e) => [e, e]),
        filters.env,
        change('env'),
      ),
      el('label', { for: 'delivery-days' }, 'Window'),
      select(
        'delivery-days',
        WINDOWS.map((d) => [String(d), `${d} days`]),
        String(filters.days),
        change('days'),
      ),
      el('span', { class: 'spacer' }),
      period,
    ),
    keys,
    others,
    el('div', { class: 'grid2 charts' }, CHARTS.map(chartPanel)),
    el('h2', {}, 'Success targets'),
    tablePanel(['Success target', 'Value', 'Goal', 'Against the goal', 'Status'], slo),
    el('h2', {}, 'Open incidents'),
    tablePanel(['Opened', 'Service', 'Environment', 'Title', 'By', ''], incidents),
  );
  root.append(page);

  const Chart = await loadChartJs();
  charts = CHARTS.map((spec) => ({
    spec,
    chart: createChart(Chart, spec, page.querySelector(`#${spec.id}`)),
  }));
  onStop(() => {
    for (const { chart } of charts) chart.destroy();
  });
  await refresh();
  const again = debounce(render, 300);
  onEvent((event) => {
    if (
      event.type.startsWith('incident.') ||
      event.type.startsWith('service.') ||
      event.type === 'rollout.aborted' ||
      event.type === 'pipelinerun.finished'
    )
      again();
  });
}
