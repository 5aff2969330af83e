// Delivery metrics over HTTP against a real server and store holding a small history: the figures
// of a window and week by week, incidents opened and closed through the API and through the
// signed incident webhook, and the delivery gauges of /metrics. Expected figures are worked out by
// hand from the history (helpers/delivery-history.ts).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loadDeliveryMetrics } from '../../src/metrics/load-delivery.js';
import { metricsWindow } from '../../src/metrics/metrics-window.js';
import { weekStart } from '../../src/metrics/weekly-series.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import {
  DELIVERY_PROJECT,
  type DeliveryHistory,
  weekLabel,
  writeDeliveryHistory,
} from './helpers/delivery-history.js';
import { type Harness, startServer, tempProject } from './helpers/server-harness.js';

const SECRET = 'incident-hook-secret';
const sign = (body: string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('delivery metrics API', () => {
  let h: Harness;
  let store: Store;
  let history: DeliveryHistory;
  /** The Monday starting this week: the end of the windows asked for, so they hold still. */
  const until = weekLabel(weekStart(Date.now()));
  const get = (path: string, token = h.tokens.viewer) => h.api('GET', path, { token });
  const hook = (payload: unknown, signature?: string | null) => {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const headers: Record<string, string> = {};
    const value = signature === undefined ? sign(body) : signature;
    if (value !== null) headers['x-slipway-signature'] = value;
    return h.api('POST', '/api/v1/hooks/incidents', { rawBody: body, headers });
  };

  before(async () => {
    const dir = await tempProject(DELIVERY_PROJECT);
    // The history goes in before the server writes anything (its first event dates the data).
    store = await openStore({ projectDir: dir });
    history = await writeDeliveryHistory(store);
    h = await startServer(dir, store, {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SLIPWAY_INCIDENT_WEBHOOK_SECRET: SECRET },
    });
  });
  after(async () => {
    await h?.close();
    await store?.close();
  });

  test('GET /api/v1/metrics/delivery is the figures of the window, against the project slo:', async () => {
    const response = await get(`/api/v1/metrics/delivery?since=90d&until=${until}`);
    assert.equal(response.status, 200, response.text);
    const m = response.json;
    assert.deepEqual(m.deployment_frequency, { deploys: 4, per_week: 0.31, band: 'weekly' });
    // Lead times 2, 4, 1, 6 and 0.5 h.
    assert.deepEqual(m.lead_time, { median_hours: 2, band: 'one day' });
    // The rollback, the deploy the incident hit and the one `slipway rollback` undid.
    assert.deepEqual(m.change_failure_rate, { failed: 3, deploys: 5, rate: 0.6, band: '46-60%' });
    // Restores of 5.5 min, 61 min and 2 h.
    assert.deepEqual(m.time_to_restore, { median_hours: 1.02, band: 'one day' });
    assert.equal(m.rollback_rate, 0.4);
    assert.equal(m.deploy_success_rate, 0.8);
    assert.deepEqual(m.pipeline, { p50_minutes: 12.5, p95_minutes: 19.25, budget_minutes: 15 });
    assert.deepEqual(m.time_to_production, { mean_hours: 2.7 });
    assert.deepEqual(m.zero_downtime, { rollouts: 4, clean: 3, share: 0.75 });
    assert.deepEqual(m.rollback_time, { median_seconds: 45, max_seconds: 60 });
    assert.deepEqual(m.slo, [
      { name: 'zero_downtime', target: 1, value: 0.75, met: false },
      { name: 'deploy_success_rate', target: 0.5, value: 0.8, met: true },
      { name: 'rollback_time', target: 300, value: 60, met: true },
      { name: 'pipeline_duration', target: 15, value: 19.25, met: false },
      { name: 'time_to_production', target: 1, value: 2.7, met: false },
    ]);
    // Exactly what the metrics engine computes (`slipway metrics --json`).
    const window = metricsWindow({ since: '90d', until }, Date.now());
    const engine = await loadDeliveryMetrics(
      store,
      window,
      { environment: 'production' },
      {
        zeroDowntime: 1,
        deploySuccessRate: 0.5,
        rollbackTimeMs: 300_000,
        pipelineDurationMs: 900_000,
        timeToProductionMs: 3_600_000,
      },
    );
    assert.deepEqual(m, JSON.parse(JSON.stringify(engine)));
    assert.equal(m.window.to, new Date(`${until}T00:00:00Z`).toISOString());
  });

  test('service and env filter the figures; production is the default environment', async () => {
    const web = (await get(`/api/v1/metrics/delivery?service=web&until=${until}`)).json;
    assert.equal(web.deployment_frequency.deploys, 3);
    assert.equal(web.lead_time.median_hours, 3);
    assert.deepEqual(web.change_failure_rate, { failed: 2, deploys: 4, rate: 0.5, band: '46-60%' });
    assert.equal(web.time_to_restore.median_hours, 1.05);
    assert.equal(web.pipeline.p95_minutes, null, "no run of a pipeline named 'web'");
    assert.equal(web.slo.find((s: { name: string }) => s.name === 'pipeline_duration').met, null);
    const staging = (await get(`/api/v1/metrics/delivery?env=staging&until=${until}`)).json;
    assert.equal(staging.deployment_frequency.deploys, 1);
    assert.equal(staging.lead_time.median_hours, 1);
    assert.equal(staging.change_failure_rate.rate, 0);
  });

  test('a bad window is 400 with the reason; unknown parameters and missing tokens are refused', async () => {
    const badSince = await get('/api/v1/metrics/delivery?since=yesterday');
    assert.equal(badSince.status, 400);
    assert.equal(badSince.json.error.code, 'WINDOW_INVALID');
    assert.match(badSince.json.error.message, /--since takes a date .* or a duration back .*'yesterday'/);
    const badUntil = await get('/api/v1/metrics/delivery/weekly?until=31/01/2026');
    assert.equal(badUntil.status, 400);
    assert.match(badUntil.json.error.message, /--until takes a date.*'31\/01\/2026'/);
    const empty = await get('/api/v1/metrics/delivery?since=2026-02-01&until=2026-01-01');
    assert.equal(empty.status, 400);
    assert.match(empty.json.error.message, /the window is empty/);
    const unknown = await get('/api/v1/metrics/delivery?window=30d');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.error.field, 'window');
    assert.equal((await h.api('GET', '/api/v1/metrics/delivery')).status, 401);
    assert.equal((await h.api('GET', '/api/v1/metrics/delivery/weekly')).status, 401);
  });

  test('GET /api/v1/metrics/delivery/weekly has every week from Monday, nulls where nothing happened', async () => {
    const response = await get(`/api/v1/metrics/delivery/weekly?since=90d&until=${until}`);
    assert.equal(response.status, 200, response.text);
    const weeks: { week: string; deploys: number }[] = response.json.weeks;
    const from = Date.parse(`${until}T00:00:00Z`) - 90 * 86_400_000;
    assert.equal(weeks[0]?.week, weekLabel(weekStart(from)));
    assert.equal(weeks.at(-1)?.week, weekLabel(history.weeks[2]), 'the window ends before this week');
    for (const w of weeks)
      assert.equal(new Date(`${w.week}T00:00:00Z`).getUTCDay(), 1, `${w.week} is a Monday`);
    const byWeek = new Map(weeks.map((w) => [w.week, w]));
    const [w0, w1, w2] = history.weeks.map((w) => byWeek.get(weekLabel(w)));
    assert.deepEqual(w0, {
      week: weekLabel(history.weeks[0]),
      deploys: 2,
      lead_time_median_hours: 2,
      change_failure_rate: 0,
      time_to_restore_median_hours: null,
    });
    assert.deepEqual(w1, {
      week: weekLabel(history.weeks[1]),
      deploys: 1,
      lead_time_median_hours: 6,
      change_failure_rate: 1,
      time_to_restore_median_hours: 0.09,
    });
    assert.deepEqual(w2, {
      week: weekLabel(history.weeks[2]),
      deploys: 1,
      lead_time_median_hours: 0.5,
      change_failure_rate: 1,
      time_to_restore_median_hours: 1.51,
    });
    const quiet = weeks.filter((w) => !history.weeks.map(weekLabel).includes(w.week));
    assert.equal(quiet.length, weeks.length - 3);
    for (const w of quiet)
      assert.deepEqual(w, {
        week: w.week,
        deploys: 0,
        lead_time_median_hours: null,
        change_failure_rate: null,
        time_to_restore_median_hours: null,
      });
    const web = (await get(`/api/v1/metrics/delivery/weekly?service=web&until=${until}`)).json.weeks;
    assert.equal(web.find((w: { week: string }) => w.week === weekLabel(history.weeks[2])).deploys, 0);
  });

  test('incidents: a deployer opens and closes them, a viewer lists them; unknown is 404, twice is 409', async () => {
    const denied = await h.api('POST', '/api/v1/incidents', {
      token: h.tokens.viewer,
      body: { service: 'api', environment: 'staging' },
    });
    assert.equal(denied.status, 403);
    const opened = await h.api('POST', '/api/v1/incidents', {
      token: h.tokens.deployer,
      body: { service: 'api', environment: 'staging', title: 'queue stuck' },
    });
    assert.equal(opened.status, 201, opened.text);
    const incident = opened.json.incident;
    assert.equal(incident.service, 'api');
    assert.equal(incident.environment, 'staging');
    assert.equal(incident.title, 'queue stuck');
    assert.equal(incident.openedBy, 'deployer-token');
    assert.equal(incident.resolvedAt, null);
    assert.equal(incident.externalId, null);
    const untitled = await h.api('POST', '/api/v1/incidents', {
      token: h.tokens.deployer,
      body: { service: 'web', environment: 'staging' },
    });
    assert.equal(untitled.json.incident.title, 'incident in web/staging');

    const open = await get('/api/v1/incidents?env=staging&open=true');
    assert.deepEqual(
      open.json.incidents.map((i: { id: number }) => i.id),
      [incident.id, untitled.json.incident.id],
    );
    const apiOnly = await get('/api/v1/incidents?service=api&env=staging');
    assert.deepEqual(
      apiOnly.json.incidents.map((i: { id: number }) => i.id),
      [incident.id],
    );

    const closed = await h.api('POST', `/api/v1/incidents/${incident.id}/close`, {
      token: h.tokens.deployer,
      body: {},
    });
    assert.equal(closed.status, 200, closed.text);
    assert.equal(closed.json.incident.id, incident.id);
    assert.ok(closed.json.incident.resolvedAt >= incident.openedAt);
    const again = await h.api('POST', `/api/v1/incidents/${incident.id}/close`, { token: h.tokens.deployer });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'INCIDENT_RESOLVED');
    const unknown = await h.api('POST', '/api/v1/incidents/999999/close', { token: h.tokens.deployer });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'INCIDENT_UNKNOWN');
    const closedList = await get('/api/v1/incidents?env=staging&open=false');
    assert.deepEqual(
      closedList.json.incidents.map((i: { id: number }) => i.id),
      [incident.id],
    );

    const missing = await h.api('POST', '/api/v1/incidents', {
      token: h.tokens.deployer,
      body: { service: 'api' },
    });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error.field, 'environment');
    const badOpen = await get('/api/v1/incidents?open=yes');
    assert.equal(badOpen.status, 400);
    assert.equal(badOpen.json.error.field, 'open');

    const audit = await h.api('GET', '/api/v1/audit?limit=1000', { token: h.tokens.admin });
    const subjects = audit.json.events.map((e: { subject: string }) => e.subject);
    assert.ok(subjects.includes('POST /api/v1/incidents'));
    assert.ok(subjects.includes('POST /api/v1/incidents/:id/close'));
  });

  test('the incident webhook opens once per external id and resolves idempotently', async () => {
    const opened = await hook({
      action: 'opened',
      id: 'PD-42',
      service: 'web',
      environment: 'qa',
      title: 'p99 latency',
      time: '2026-01-05T10:00:00+01:00',
    });
    assert.equal(opened.status, 201, opened.text);
    assert.equal(opened.json.status, 'opened');
    assert.equal(opened.json.duplicate, false);
    const incident = opened.json.incident;
    assert.equal(incident.externalId, 'PD-42');
    assert.equal(incident.openedAt, Date.parse('2026-01-05T09:00:00Z'));
    assert.equal(incident.openedBy, 'incident-webhook');

    const retried = await hook({ action: 'opened', id: 'PD-42', service: 'web', environment: 'qa' });
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.json.duplicate, true);
    assert.equal(retried.json.incident.id, incident.id);

    const resolved = await hook({ action: 'resolved', id: 'PD-42', time: '2026-01-05T09:30:00Z' });
    assert.equal(resolved.status, 200, resolved.text);
    assert.equal(resolved.json.status, 'resolved');
    assert.equal(resolved.json.duplicate, false);
    assert.equal(resolved.json.incident.resolvedAt, Date.parse('2026-01-05T09:30:00Z'));
    const resolvedAgain = await hook({ action: 'resolved', id: 'PD-42', service: 'web', environment: 'qa' });
    assert.equal(resolvedAgain.status, 200, resolvedAgain.text);
    assert.equal(resolvedAgain.json.duplicate, true);
    assert.equal(resolvedAgain.json.incident.resolvedAt, Date.parse('2026-01-05T09:30:00Z'));

    const unknown = await hook({ action: 'resolved', id: 'PD-nope' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'INCIDENT_UNKNOWN');
    const listed = await get('/api/v1/incidents?env=qa');
    assert.equal(listed.json.incidents.length, 1);

    const audit = await h.api('GET', '/api/v1/audit?limit=1000', { token: h.tokens.admin });
    const hooks = audit.json.events.filter(
      (e: { subject: string }) => e.subject === 'POST /api/v1/hooks/incidents',
    );
    assert.ok(hooks.length >= 5);
    assert.ok(hooks.every((e: { actor: string }) => e.actor === 'incident-webhook'));
    const first = hooks.find((e: { data: { status: number } }) => e.data.status === 201);
    assert.deepEqual(first.data.details, {
      action: 'opened',
      externalId: 'PD-42',
      service: 'web',
      incident: incident.id,
      duplicate: false,
    });
    assert.doesNotMatch(JSON.stringify(audit.json), new RegExp(SECRET));
  });

  test('the incident webhook refuses bad signatures (401) and bad bodies (400 naming the field)', async () => {
    const payload = { action: 'opened', id: 'X-1', service: 'web', environment: 'qa' };
    const body = JSON.stringify(payload);
    for (const signature of [null, 'sha256=abc', sign(body, 'wrong-secret'), sign(`${body} `)]) {
      const response = await hook(body, signature);
      assert.equal(response.status, 401, `signature ${signature}`);
      assert.equal(response.json.error.code, 'BAD_SIGNATURE');
    }
    const cases: [unknown, string][] = [
      [{ id: 'X-1', service: 'web', environment: 'qa' }, 'action'],
      [{ action: 'closed', id: 'X-1' }, 'action'],
      [{ action: 'opened', service: 'web', environment: 'qa' }, 'id'],
      [{ action: 'opened', id: 'X-1', environment: 'qa' }, 'service'],
      [{ action: 'opened', id: 'X-1', service: 'web' }, 'environment'],
      [{ action: 'opened', id: 'X-1', service: 'web', environment: 'qa', time: 'yesterday' }, 'time'],
      [{ action: 'opened', id: 'X-1', service: 'web', environment: 'qa', title: 7 }, 'title'],
    ];
    for (const [bad, field] of cases) {
      const response = await hook(bad);
      assert.equal(response.status, 400, `${JSON.stringify(bad)}: ${response.text}`);
      assert.equal(response.json.error.field, field, JSON.stringify(bad));
      assert.match(response.json.error.message, new RegExp(`^body\\.${field}: `));
    }
    const notJson = await hook('{"action": ');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json.error.code, 'BAD_JSON');
    assert.equal((await get('/api/v1/incidents?env=qa')).json.incidents.length, 1, 'nothing opened');
  });

  test('/metrics has the delivery gauges of production over 90 days', async () => {
    const response = await h.api('GET', '/metrics');
    assert.equal(response.status, 200);
    const value = (name: string, labels = 'environment="production"') => {
      const line = response.text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    assert.match(response.text, /# TYPE slipway_delivery_deploys gauge/);
    assert.equal(value('slipway_delivery_deploys'), 4);
    assert.equal(value('slipway_delivery_deploys_per_week'), 0.31);
    assert.equal(value('slipway_delivery_lead_time_median_hours'), 2);
    assert.equal(value('slipway_delivery_change_failure_rate'), 0.6);
    assert.equal(value('slipway_delivery_time_to_restore_median_hours'), 1.02);
    assert.equal(value('slipway_delivery_rollback_rate'), 0.4);
    assert.equal(value('slipway_delivery_deploy_success_rate'), 0.8);
    assert.equal(value('slipway_delivery_pipeline_p95_minutes'), 19.25);
    assert.equal(value('slipway_delivery_zero_downtime_share'), 0.75);
    assert.equal(value('slipway_delivery_rollback_time_max_seconds'), 60);
    const slo = (name: string) => value('slipway_delivery_slo_met', `environment="production",slo="${name}"`);
    assert.equal(slo('zero_downtime'), 0);
    assert.equal(slo('deploy_success_rate'), 1);
    assert.equal(slo('rollback_time'), 1);
    assert.equal(slo('pipeline_duration'), 0);
    assert.equal(slo('time_to_production'), 0);
    // The counters are still there.
    assert.match(response.text, /slipway_deploys_total\{environment="production"\} 4/);
  });

  test('the API document lists the routes', async () => {
    const doc = (await h.api('GET', '/api/v1/openapi.json')).json;
    assert.ok(doc.paths['/api/v1/metrics/delivery'].get);
    assert.ok(doc.paths['/api/v1/metrics/delivery/weekly'].get);
    assert.ok(doc.paths['/api/v1/incidents'].get);
    assert.ok(doc.paths['/api/v1/incidents'].post);
    assert.ok(doc.paths['/api/v1/incidents/{id}/close'].post);
    assert.deepEqual(doc.paths['/api/v1/hooks/incidents'].post.security, []);
  });
});

describe('delivery metrics on an empty server without an incident secret', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(await tempProject(DELIVERY_PROJECT));
  });
  after(async () => {
    await h?.close();
  });

  test('the incident webhook answers 503 naming the variable to set', async () => {
    const body = JSON.stringify({ action: 'opened', id: 'A', service: 'web', environment: 'qa' });
    const response = await h.api('POST', '/api/v1/hooks/incidents', {
      rawBody: body,
      headers: { 'x-slipway-signature': sign(body) },
    });
    assert.equal(response.status, 503);
    assert.equal(response.json.error.code, 'WEBHOOKS_DISABLED');
    assert.match(response.json.error.message, /SLIPWAY_INCIDENT_WEBHOOK_SECRET/);
  });

  test('figures with nothing to measure are null, and their gauges absent', async () => {
    const m = (await h.api('GET', '/api/v1/metrics/delivery', { token: h.tokens.viewer })).json;
    assert.equal(m.deployment_frequency.deploys, 0);
    assert.equal(m.lead_time.median_hours, null);
    assert.ok(m.slo.every((s: { met: boolean | null }) => s.met === null));
    const text = (await h.api('GET', '/metrics')).text;
    assert.match(text, /^slipway_delivery_deploys\{environment="production"\} 0$/m);
    assert.doesNotMatch(text, /^slipway_delivery_lead_time_median_hours\{/m);
    assert.doesNotMatch(text, /^slipway_delivery_slo_met\{/m);
    assert.match(text, /# TYPE slipway_delivery_slo_met gauge/);
  });
});
