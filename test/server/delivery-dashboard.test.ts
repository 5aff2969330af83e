// The dashboard's Delivery page in a real (headless Debian) Chromium over a server whose store holds
// a small history (helpers/delivery-history.ts): the Four Keys cards with their bands, the four
// Chart.js trend charts with the weekly figures, the service and window filters, the success
// targets met or missed, and an open incident closed from the page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { weekStart } from '../../src/metrics/weekly-series.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { CHROMIUM, skipWithout } from '../helpers/outside-program.js';
import { dashboardPage, launchChromium } from './helpers/dashboard-page.js';
import {
  DELIVERY_PROJECT,
  type DeliveryHistory,
  weekLabel,
  writeDeliveryHistory,
} from './helpers/delivery-history.js';
import { type Harness, startServer, tempProject } from './helpers/server-harness.js';

/** The text of a figure card's value, detail and band. */
async function card(page: Page, figure: string): Promise<{ value: string; detail: string; band: string }> {
  const root = `[data-figure="${figure}"]`;
  return {
    value: (await page.textContent(`${root} .value`)) ?? '',
    detail: (await page.textContent(`${root} .detail`)) ?? '',
    band: (await page.textContent(`${root} .band`)) ?? '',
  };
}

/** The text of a figure card's value. */
const figureValue = async (page: Page, figure: string) =>
  (await page.textContent(`[data-figure="${figure}"] .value`)) ?? '';

/** What each chart holds: its labels, and its one dataset's points. */
type ChartData = Record<string, { type: string; labels: string[]; data: (number | null)[] }>;
function charts(page: Page): Promise<ChartData> {
  return page.evaluate(`(() => {
    const out = {};
    for (const canvas of document.querySelectorAll('#delivery canvas')) {
      const chart = window.Chart.getChart(canvas);
      if (!chart) continue;
      out[canvas.id] = {
        type: chart.config.type,
        labels: [...chart.data.labels],
        data: chart.data.datasets[0].data.map((v) => (v === undefined ? null : v)),
      };
    }
    return out;
  })()`);
}

/** Waits for the page to show the figures of these filters. */
const ready = (page: Page, service: string, env: string, days: number) =>
  page.waitForSelector(`#delivery[data-ready="${service}|${env}|${days}"]`, { timeout: 15_000 });

describe('dashboard Delivery page in Chromium', { timeout: 120_000, skip: skipWithout(CHROMIUM) }, () => {
  let h: Harness;
  let store: Store;
  let browser: Browser;
  let history: DeliveryHistory;
  let page: Page;
  let errors: string[];
  const csp: string[] = [];
  let openIncident: number;

  before(async () => {
    const dir = await tempProject(DELIVERY_PROJECT);
    store = await openStore({ projectDir: dir });
    history = await writeDeliveryHistory(store);
    h = await startServer(dir, store);
    // Open now, on api: it changes no figure (the deploy it hits failed already, nothing healed it).
    const opened = await h.api('POST', '/api/v1/incidents', {
      token: h.tokens.deployer,
      body: { service: 'api', environment: 'production', title: 'queue backlog' },
    });
    assert.equal(opened.status, 201, opened.text);
    openIncident = opened.json.incident.id;
    browser = await launchChromium();
    ({ page, errors } = await dashboardPage(browser, h.url, h.tokens.deployer));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) csp.push(message.text());
    });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    await store?.close();
  });

  test('the nav opens the page: the Four Keys of all services in production over 90 days, with bands', async () => {
    await page.click('[data-nav="delivery"]');
    await ready(page, '', 'production', 90);
    assert.equal(await page.getAttribute('[data-nav="delivery"]', 'class'), 'active');
    assert.equal(await page.inputValue('#delivery-service'), '');
    assert.equal(await page.inputValue('#delivery-env'), 'production');
    assert.equal(await page.inputValue('#delivery-days'), '90');
    const services = await page.$$eval('#delivery-service option', (o) => o.map((x) => x.textContent));
    assert.deepEqual(services, ['All services', 'web', 'api']);
    const envs = await page.$$eval('#delivery-env option', (o) => o.map((x) => x.textContent));
    assert.deepEqual(envs, ['production', 'staging']);

    // Completed deploys: web twice in week 0, once in week 1, api once in week 2; 4 / (90 / 7) a week.
    assert.deepEqual(await card(page, 'deploys'), {
      value: '4',
      detail: 'deploys · 0.31 per week',
      band: 'weekly',
    });
    // Lead times 2, 4, 1, 6 and 0.5 h: the median is 2 h.
    assert.deepEqual(await card(page, 'lead-time'), {
      value: '2 h',
      detail: 'median, commit to production',
      band: 'one day',
    });
    // The rollback, the deploy the incident hit and the one `slipway rollback` undid, of 5.
    assert.deepEqual(await card(page, 'change-failure-rate'), {
      value: '60%',
      detail: '3 of 5 deploys failed',
      band: '46-60%',
    });
    // Restores of 5.5 min, 61 min and 2 h.
    assert.deepEqual(await card(page, 'time-to-restore'), {
      value: '1.02 h',
      detail: 'median, failure to recovery',
      band: 'one day',
    });
    assert.equal(await figureValue(page, 'rollback-time'), '60 s');
    assert.equal(await figureValue(page, 'zero-downtime'), '75%');
    assert.equal(await figureValue(page, 'deploy-success-rate'), '80%');
    assert.equal(await figureValue(page, 'pipeline'), '19.25 min');
  });

  test('the four charts show the weeks: deploys, lead time, change failure rate, time to restore', async () => {
    const data = await charts(page);
    assert.deepEqual(Object.keys(data).sort(), [
      'chart-deploys',
      'chart-failure-rate',
      'chart-lead-time',
      'chart-restore',
    ]);
    assert.equal(data['chart-deploys']?.type, 'bar');
    assert.equal(data['chart-lead-time']?.type, 'line');
    assert.equal(data['chart-restore']?.type, 'line');
    const labels = data['chart-deploys']?.labels ?? [];
    // 90 days back from now, one point a week (from Monday), up to this week.
    assert.equal(labels.at(-1), weekLabel(weekStart(Date.now())));
    assert.equal(labels[0], weekLabel(weekStart(Date.now() - 90 * 86_400_000)));
    for (const chart of Object.values(data)) assert.deepEqual(chart.labels, labels);
    const at = history.weeks.map((w) => labels.indexOf(weekLabel(w)));
    assert.ok(at.every((i) => i >= 0));
    /** The points expected: `values` in the history's three weeks, `quiet` in every other one. */
    const expected = (values: (number | null)[], quiet: number | null) =>
      labels.map((_, i) => (at.includes(i) ? (values[at.indexOf(i)] ?? null) : quiet));
    assert.deepEqual(data['chart-deploys']?.data, expected([2, 1, 1], 0));
    assert.deepEqual(data['chart-lead-time']?.data, expected([2, 6, 0.5], null));
    // In percent: week 0 nothing failed; week 1 both attempts failed; week 2 the one deploy did.
    assert.deepEqual(data['chart-failure-rate']?.data, expected([0, 100, 100], null));
    // Week 1: the 5.5-minute rollback; week 2: the manual rollback (61 min) and the incident (2 h).
    assert.deepEqual(data['chart-restore']?.data, expected([null, 0.09, 1.51], null));
    const drawn = await page.$$eval('#delivery canvas', (canvases) =>
      canvases.map(
        (c) =>
          (c as unknown as { width: number }).width > 0 && (c as unknown as { height: number }).height > 0,
      ),
    );
    assert.deepEqual(drawn, [true, true, true, true]);
  });

  test('the success targets are shown met or missed against the project slo:', async () => {
    const rows = await page.$$eval('#delivery-slo tr', (trs) =>
      trs.map((tr) => ({
        slo: tr.getAttribute('data-slo'),
        met: tr.getAttribute('data-met'),
        status: tr.querySelector('.pill')?.textContent,
        bar: tr.querySelector('.slo-bar .fill') !== null,
      })),
    );
    assert.deepEqual(rows, [
      { slo: 'zero_downtime', met: 'false', status: 'missed', bar: true },
      { slo: 'deploy_success_rate', met: 'true', status: 'met', bar: true },
      { slo: 'rollback_time', met: 'true', status: 'met', bar: true },
      { slo: 'pipeline_duration', met: 'false', status: 'missed', bar: true },
      { slo: 'time_to_production', met: 'false', status: 'missed', bar: true },
    ]);
    const goal = await page.textContent('[data-slo="rollback_time"] td:nth-child(3)');
    assert.equal(goal, '< 300 s');
  });

  test('filtering by service and window changes the figures and the charts', async () => {
    await page.selectOption('#delivery-service', 'web');
    await ready(page, 'web', 'production', 90);
    assert.equal((await card(page, 'deploys')).value, '3');
    assert.equal((await card(page, 'lead-time')).value, '3 h');
    assert.deepEqual(await card(page, 'change-failure-rate'), {
      value: '50%',
      detail: '2 of 4 deploys failed',
      band: '46-60%',
    });
    assert.equal((await card(page, 'time-to-restore')).value, '1.05 h');
    const data = await charts(page);
    const labels = data['chart-deploys']?.labels ?? [];
    assert.equal(
      data['chart-deploys']?.data[labels.indexOf(weekLabel(history.weeks[2]))],
      0,
      'api deployed then',
    );
    const pipeline = await page.getAttribute('[data-slo="pipeline_duration"]', 'data-met');
    assert.equal(pipeline, 'null');
    assert.equal(await page.textContent('[data-slo="pipeline_duration"] .pill'), 'no data');
    assert.equal(await page.textContent('#delivery-incidents'), 'No open incident.');

    await page.selectOption('#delivery-env', 'staging');
    await ready(page, 'web', 'staging', 90);
    assert.equal((await card(page, 'deploys')).value, '1');

    await page.selectOption('#delivery-env', 'production');
    await page.selectOption('#delivery-service', '');
    await page.selectOption('#delivery-days', '30');
    await ready(page, '', 'production', 30);
    // The same four deploys (all in the last four weeks), now over 30 days.
    assert.equal((await card(page, 'deploys')).detail, 'deploys · 0.93 per week');
    assert.equal(
      (await charts(page))['chart-deploys']?.labels[0],
      weekLabel(weekStart(Date.now() - 30 * 86_400_000)),
    );
  });

  test('a deployer closes the open incident from the page; its restore joins the figures', async () => {
    const row = `#delivery-incidents [data-incident="${openIncident}"]`;
    assert.match((await page.textContent(row)) ?? '', /api.*production.*queue backlog.*deployer-token/);
    await page.click(`${row} button:text-is("Close")`);
    await page.waitForSelector(row, { state: 'detached', timeout: 15_000 });
    const incidents = await h.api('GET', '/api/v1/incidents?open=true', { token: h.tokens.viewer });
    assert.deepEqual(incidents.json.incidents, []);
    // A restore of a moment joins 5.5 min, 61 min and 2 h: the median is between the middle two.
    await page.waitForFunction(
      `document.querySelector('[data-figure="time-to-restore"] .value')?.textContent === '0.55 h'`,
      undefined,
      { timeout: 15_000 },
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(csp, [], 'nothing the page does breaks its Content Security Policy');
  });
});

describe('the dashboard serves Chart.js', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(await tempProject(DELIVERY_PROJECT));
  });
  after(async () => {
    await h?.close();
  });

  test('/vendor/chart.umd.js is the package UMD build, cached a day, then revalidated by its version', async () => {
    const response = await fetch(`${h.url}/vendor/chart.umd.js`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=86400');
    const etag = response.headers.get('etag') ?? '';
    assert.match(etag, /^"chart\.js@4\.\d+\.\d+\/chart\.umd\.js"$/);
    const again = await fetch(`${h.url}/vendor/chart.umd.js`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const text = await response.text();
    assert.match(text.slice(0, 200), /Chart\.js v4\./);
    const map = await fetch(`${h.url}/vendor/chart.umd.js.map`);
    assert.equal(map.status, 200);
    await map.arrayBuffer();
    const page = await (await fetch(`${h.url}/app.js`)).text();
    assert.match(page, /deliveryView/);
  });
});
