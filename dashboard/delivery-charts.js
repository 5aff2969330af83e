// The Delivery page's trend charts: Chart.js (its UMD build, served at /vendor/chart.umd.js and
// loaded on first use), one chart per weekly figure, updated in place when the filters change.
import { el } from './dom.js';

let loading;

/** Loads Chart.js once; resolves to its global `Chart`. */
export function loadChartJs() {
  loading ??= new Promise((resolve, reject) => {
    if (window.Chart) {
      resolve(window.Chart);
      return;
    }
    const script = el('script', { src: '/vendor/chart.umd.js' });
    script.addEventListener('load', () => resolve(window.Chart));
    script.addEventListener('error', () => {
      loading = undefined;
      reject(new Error('The chart library (/vendor/chart.umd.js) could not be loaded.'));
    });
    document.head.append(script);
  });
  return loading;
}

const cssColor = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** What each chart shows: its canvas id, title, kind, unit and how to read a week. */
export const CHARTS = [
  {
    id: 'chart-deploys',
    title: 'Deploys per week',
    type: 'bar',
    color: '--accent',
    unit: 'deploys',
    value: (w) => w.deploys,
  },
  {
    id: 'chart-lead-time',
    title: 'Lead time (median hours)',
    type: 'line',
    color: '--run',
    unit: 'h',
    value: (w) => w.lead_time_median_hours,
  },
  {
    id: 'chart-failure-rate',
    title: 'Change failure rate (% of deploys)',
    type: 'bar',
    color: '--bad',
    unit: '%',
    value: (w) => (w.change_failure_rate === null ? null : Number((w.change_failure_rate * 100).toFixed(2))),
  },
  {
    id: 'chart-restore',
    title: 'Time to restore (median hours)',
    type: 'line',
    color: '--canary',
    unit: 'h',
    value: (w) => w.time_to_restore_median_hours,
  },
];

/** A panel holding one chart's canvas. */
export function chartPanel(spec) {
  return el(
    'div',
    { class: 'panel chart-panel' },
    el('h2', {}, spec.title),
    el('div', { class: 'chart-box' }, el('canvas', { id: spec.id, 'aria-label': spec.title, role: 'img' })),
  );
}

/** Creates the chart of `spec` on `canvas`. */
export function createChart(Chart, spec, canvas) {
  const color = cssColor(spec.color) || '#2f6fd6';
  return new Chart(canvas, {
    type: spec.type,
    data: {
      labels: [],
      datasets: [
        {
          label: spec.title,
          data: [],
          backgroundColor: spec.type === 'bar' ? `${color}cc` : color,
          borderColor: color,
          borderWidth: spec.type === 'bar' ? 0 : 2,
          pointRadius: 3,
          spanGaps: true,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 250 },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: { label: (item) => `${item.formattedValue} ${spec.unit}` },
        },
      },
      scales: {
        x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true } },
        y: { beginAtZero: true, ticks: { precision: spec.unit === 'deploys' ? 0 : undefined } },
      },
    },
  });
}

/** Shows `weeks` on `chart` (labels: the weeks' Mondays). */
export function showWeeks(chart, spec, weeks) {
  chart.data.labels = weeks.map((w) => w.week);
  chart.data.datasets[0].data = weeks.map(spec.value);
  chart.update();
}
