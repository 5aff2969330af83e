// The web dashboard: the session endpoints behind its login, its static files and headers, and the
// page itself in a real (headless Debian) Chromium: live job status, approving a gate, and no
// decision buttons for roles that may not decide.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, skipWithout } from '../helpers/outside-program.js';
import { launchChromium } from './helpers/dashboard-page.js';
import { type Harness, startServer, tempProject, waitFor } from './helpers/server-harness.js';

const PIPELINE = `version: 1
project: { name: harbour }
jobs:
  build: { run: "sleep 1.5 && echo built-the-thing" }
pipeline:
  stages:
    - name: build
      parallel: [build]
    - name: deploy
      environments:
        - production: { approval: manual_approval, run: echo deployed }
`;

/** The session cookie a login response sets, as `name=value` for a Cookie header. */
function cookieOf(setCookie: string | null): string {
  assert.ok(setCookie, 'a set-cookie header');
  return setCookie.split(';')[0] ?? '';
}

describe('dashboard session endpoints', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(await tempProject(PIPELINE));
  });
  after(async () => {
    await h.close();
  });

  test('a bad token is 401 and sets no cookie; a missing one is 400', async () => {
    const bad = await h.api('POST', '/api/v1/session', { body: { token: 'slw_not-a-real-token' } });
    assert.equal(bad.status, 401);
    assert.equal(bad.json.error.code, 'UNAUTHORIZED');
    assert.equal(bad.headers.get('set-cookie'), null);
    assert.equal((await h.api('POST', '/api/v1/session', { body: {} })).status, 400);
    assert.equal((await h.api('GET', '/api/v1/session')).status, 401);
  });

  test('a good token sets an HttpOnly, SameSite=Strict cookie that authenticates API calls', async () => {
    const login = await h.api('POST', '/api/v1/session', { body: { token: h.tokens.approver } });
    assert.equal(login.status, 200, login.text);
    assert.deepEqual(login.json, { name: 'approver-token', role: 'approver', via: 'cookie' });
    const setCookie = login.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^slipway_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP gets no Secure flag');
    const cookie = { cookie: cookieOf(setCookie) };

    const me = await h.api('GET', '/api/v1/session', { headers: cookie });
    assert.deepEqual(me.json, { name: 'approver-token', role: 'approver', via: 'cookie' });
    assert.equal((await h.api('GET', '/api/v1/runs', { headers: cookie })).status, 200);
    // The header wins over the cookie.
    const bearer = await h.api('GET', '/api/v1/session', { token: h.tokens.viewer, headers: cookie });
    assert.equal(bearer.json.role, 'viewer');
    assert.equal(bearer.json.via, 'bearer');

    // A cookie-authenticated mutation must be JSON: a form post is refused before anything runs.
    const form = await fetch(`${h.url}/api/v1/runs`, {
      method: 'POST',
      headers: { ...cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'job=build',
    });
    assert.equal(form.status, 415);
    assert.equal((await h.store.listRuns({ limit: 10 })).length, 0);
  });

  test('logout clears the cookie; a stale or revoked cookie is no principal', async () => {
    const login = await h.api('POST', '/api/v1/session', { body: { token: h.tokens.viewer } });
    const cookie = { cookie: cookieOf(login.headers.get('set-cookie')) };
    const out = await h.api('DELETE', '/api/v1/session', { headers: cookie, body: {} });
    assert.equal(out.status, 200, out.text);
    assert.match(
      out.headers.get('set-cookie') ?? '',
      /^slipway_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict/,
    );
    const gone = await h.api('GET', '/api/v1/runs', { headers: { cookie: 'slipway_session=slw_stale' } });
    assert.equal(gone.status, 401);
    assert.equal(gone.json.error.code, 'UNAUTHORIZED');
    const audit = await h.api('GET', '/api/v1/audit', { token: h.tokens.admin });
    const logout = audit.json.events.find((e: { subject: string }) => e.subject === 'DELETE /api/v1/session');
    assert.equal(logout?.data.token, 'viewer-token', 'the audit trail names who logged out');
  });

  test('the page is served with a strict CSP; unknown paths 404 (JSON under /api/)', async () => {
    const page = await fetch(`${h.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    const html = await page.text();
    assert.match(html, /<script type="module" src="\/app\.js"><\/script>/);
    assert.doesNotMatch(html, /<script>|<script type="module">|on(click|load)=/i, 'no inline scripts');
    const js = await fetch(`${h.url}/app.js`);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(await js.text(), /EventSource/);
    assert.match((await fetch(`${h.url}/style.css`)).headers.get('content-type') ?? '', /^text\/css/);

    const api404 = await h.api('GET', '/api/v1/nope', { headers: { accept: 'text/html' } });
    assert.equal(api404.status, 404);
    assert.equal(api404.json.error.code, 'NOT_FOUND');
    const html404 = await fetch(`${h.url}/some/page`, { headers: { accept: 'text/html' } });
    assert.equal(html404.status, 404);
    assert.match(await html404.text(), /Open the dashboard/);
    const json404 = await h.api('GET', '/some/page');
    assert.equal(json404.json.error.code, 'NOT_FOUND');

    const doc = await h.api('GET', '/api/v1/openapi.json');
    assert.ok(doc.json.paths['/api/v1/session'].get);
    assert.ok(doc.json.paths['/api/v1/session'].post);
  });
});

describe('dashboard in Chromium', { timeout: 120_000, skip: skipWithout(CHROMIUM) }, () => {
  let h: Harness;
  let browser: Browser;
  before(async () => {
    h = await startServer(await tempProject(PIPELINE));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  /** Moves the page to `hash` the way a click on a link does (no reload); the test has no DOM types. */
  const navigate = (page: Page, hash: string) => page.evaluate(`location.hash = ${JSON.stringify(hash)}`);

  /** A fresh page, logged in through the form with `token`. */
  async function login(token: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(h.url);
    await page.fill('#token', token);
    await page.click('#login');
    await page.waitForSelector('#who:not([hidden])');
    await page.waitForSelector('#live.on');
    assert.deepEqual(errors, []);
    return page;
  }

  const pendingGate = (runId: number) =>
    waitFor('the production gate', async () => {
      const approval = await h.store.getApproval(runId, 'production');
      return approval?.status === 'pending' ? approval : undefined;
    });

  test('an approver sees a job finish live, approves in the page, and the run succeeds without a reload', async () => {
    const page = await login(h.tokens.approver);
    assert.equal(await page.textContent('#who-role'), 'approver');
    // The cookie is HttpOnly: the page's scripts cannot read the token.
    assert.equal(await page.evaluate('document.cookie'), '');

    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
    assert.equal(started.status, 202, started.text);
    const runId: number = started.json.runId;
    await navigate(page, `#/runs/${runId}`);
    // Survives only as long as the document does: a reload would drop it.
    await page.evaluate('window.marker = "same-document"');

    await page.waitForSelector('.job[data-job="build"][data-status="running"]', { timeout: 15_000 });
    await page.waitForSelector('.job[data-job="build"][data-status="success"]', { timeout: 15_000 });
    await page.click('.job[data-job="build"]');
    await page.waitForSelector('#logs .line >> text=built-the-thing', { timeout: 10_000 });

    await pendingGate(runId);
    const approve = page.locator('.job[data-job="deploy.production"] button[data-decision="approve"]');
    await approve.waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#run-status').textContent(), 'waiting');
    await approve.click();
    await page.waitForSelector('#run-status[data-run-status="success"]', { timeout: 20_000 });
    assert.equal(await page.locator('#run-status').textContent(), 'succeeded');
    assert.equal(
      await page.locator('.job[data-job="deploy.production"]').getAttribute('data-status'),
      'success',
    );
    assert.equal(await page.evaluate('window.marker'), 'same-document');

    const approval = await h.store.getApproval(runId, 'production');
    assert.equal(approval?.status, 'approved');
    assert.equal(approval?.decidedBy, 'approver-token');
    await page.context().close();
  });

  test('a viewer (and a deployer) find the waiting gate but no approve button', async () => {
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
    const runId: number = started.json.runId;
    await pendingGate(runId);
    for (const role of ['viewer', 'deployer'] as const) {
      const page = await login(h.tokens[role]);
      await navigate(page, '#/approvals');
      await page.waitForSelector(`[data-gate="${runId}/production"]`, { timeout: 10_000 });
      assert.equal(await page.locator('[data-gate] [data-no-permission]').count(), 1);
      assert.equal(await page.locator('button[data-decision]').count(), 0, `${role}: no decision buttons`);
      await navigate(page, `#/runs/${runId}`);
      await page.waitForSelector('.job[data-job="deploy.production"][data-status="waiting"]');
      assert.equal(await page.locator('button[data-decision]').count(), 0, `${role}: none on the run either`);
      await page.context().close();
    }
    // The same gate offers both buttons to an approver.
    const page = await login(h.tokens.approver);
    await navigate(page, '#/approvals');
    await page.waitForSelector(`[data-gate="${runId}/production"] button[data-decision="approve"]`);
    assert.equal(await page.locator(`[data-gate="${runId}/production"] button[data-decision]`).count(), 2);
    await page.locator(`[data-gate="${runId}/production"] button[data-decision="reject"]`).click();
    await waitFor('the rejection', async () =>
      (await h.store.getApproval(runId, 'production'))?.status === 'rejected' ? true : undefined,
    );
    await page.waitForSelector('#approvals >> text=Nothing is waiting for approval.');
    await page.context().close();
  });
});
