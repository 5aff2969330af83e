// The dashboard's one-click rollback in a real (headless Debian) Chromium: a server over a project
// whose service runs v2 on a real agent after v1; a deployer clicks the service card's rollback
// control and the page, the API, `slipway status` and the service itself show v1 again. A viewer
// sees no rollback control at all.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, skipWithout } from '../helpers/outside-program.js';
import { fixtureConfig, type TestProject, testProject, urlOf } from '../rollout/helpers.js';
import { launchChromium } from './helpers/dashboard-page.js';
import { type Harness, startServer, waitFor } from './helpers/server-harness.js';

const CONFIG = fixtureConfig({
  strategy: '      rolling: { batchSize: 1, maxSurge: 1, maxUnavailable: 0 }',
});

const CARD = '.service-card[data-service="web"][data-env="prod"]';
/** The card's one-click control: the header's "Roll back" (to the previous revision, no choice to make). */
const ONE_CLICK = `${CARD} h2 button:text-is("Roll back")`;

/** The revision that has all the traffic of web in prod, as the API reports it. */
async function servingRevision(h: Harness): Promise<string | undefined> {
  const response = await h.api('GET', '/api/v1/services/web/environments/prod', { token: h.tokens.viewer });
  assert.equal(response.status, 200, response.text);
  const revisions = (response.json.status?.revisions ?? []) as { id: string; weight: number }[];
  return revisions.find((r) => r.weight === 100)?.id;
}

describe('dashboard one-click rollback in Chromium', {
  timeout: 180_000,
  skip: skipWithout(CHROMIUM),
}, () => {
  let project: TestProject;
  let h: Harness;
  let browser: Browser;
  let url: string;
  let v1: string;
  let v2: string;
  before(async () => {
    project = testProject(CONFIG);
    const first = project.cli('deploy', 'web', '--env', 'prod');
    assert.equal(first.status, 0, first.stderr + first.stdout);
    url = urlOf(first.stdout);
    project.edit('VERSION: v1', 'VERSION: v2');
    const second = project.cli('deploy', 'web', '--env', 'prod');
    assert.equal(second.status, 0, second.stderr + second.stdout);
    h = await startServer(project.dir);
    const history = await h.api('GET', '/api/v1/services/web/environments/prod/history?limit=8', {
      token: h.tokens.viewer,
    });
    const completed = (history.json.rollouts as { revision: string; phase: string }[]).filter(
      (r) => r.phase === 'completed',
    );
    assert.equal(completed.length, 2, history.text);
    [v2, v1] = completed.map((r) => r.revision) as [string, string];
    assert.equal(await servingRevision(h), v2);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    // The agent goes first (it lives in the project folder), then the server and its store.
    await project?.cleanup();
    await h?.close();
  });

  /** A fresh page logged in with `token`, on the services page with the card showing `current`. */
  async function servicesPage(token: string, current: string): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(h.url);
    await page.fill('#token', token);
    await page.click('#login');
    await page.waitForSelector('#who:not([hidden])');
    await page.waitForSelector('#live.on');
    await page.evaluate('location.hash = "#/services"');
    await page.waitForSelector(`${CARD} [data-current="${current}"]`, { timeout: 15_000 });
    return { page, errors };
  }

  test('a viewer sees the service on v2 with no rollback control; an admin sees it', async () => {
    const { page, errors } = await servicesPage(h.tokens.viewer, v2);
    assert.equal(await page.locator(`${CARD} h2 button`).count(), 0, 'no controls in the header');
    assert.equal(await page.locator(`${CARD} [data-rollback-to]`).count(), 0, 'none in the history');
    assert.equal(await page.locator(`${CARD} tr[data-rollout]`).count(), 2, 'both rollouts are listed');
    assert.deepEqual(errors, []);
    await page.context().close();
    // The same card offers the control to an admin (who is not made to click it here).
    const admin = await servicesPage(h.tokens.admin, v2);
    assert.equal(await admin.page.locator(ONE_CLICK).count(), 1, 'an admin sees the control');
    await admin.page.context().close();
  });

  test('a deployer clicks Roll back once: the page, the API, the CLI and the service show v1', async () => {
    const { page, errors } = await servicesPage(h.tokens.deployer, v2);
    // Survives only as long as the document does: the card must update without a reload.
    await page.evaluate('window.marker = "same-document"');
    const control = page.locator(ONE_CLICK);
    assert.equal(await control.count(), 1, 'one rollback control in the header');
    assert.equal(await page.locator(`${CARD} [data-rollback-to="${v1}"]`).count(), 1, 'v1 in the history');
    assert.equal(await page.locator(`${CARD} [data-rollback-to="${v2}"]`).count(), 0, 'not the current one');
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v2 /);

    await control.click();
    await page.waitForSelector(`${CARD} [data-current="${v1}"]`, { timeout: 30_000 });
    await page.waitForSelector(`${CARD} .seg[data-revision="${v1}"][data-weight="100"]`, { timeout: 10_000 });
    assert.equal(await page.evaluate('window.marker'), 'same-document');
    await page.waitForSelector('#toast:not([hidden])');
    assert.equal(await page.textContent('#toast'), 'rollback started', 'the API accepted the click');
    // The rollback is itself a rollout at the top of the history, and v2 is now the one to go back to.
    await page.waitForSelector(`${CARD} tr[data-rollout]:first-child >> text=${v1}`, { timeout: 10_000 });
    assert.equal(await page.locator(`${CARD} [data-rollback-to="${v2}"]`).count(), 1);
    assert.deepEqual(errors, []);

    assert.equal(await waitFor('v1 to serve per the API', async () => servingRevision(h)), v1);
    const status = JSON.parse(project.cli('--json', 'status', 'web', '--env', 'prod').stdout) as {
      revisions: { id: string; weight: number }[];
      rollout: { phase: string; revision: string; strategy: string };
    };
    assert.equal(status.rollout.revision, v1);
    assert.equal(status.rollout.phase, 'completed');
    assert.equal(status.rollout.strategy, 'rollback');
    assert.deepEqual(
      status.revisions.filter((r) => r.weight > 0).map((r) => [r.id, r.weight]),
      [[v1, 100]],
    );
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v1 /);
    const history = await h.api('GET', '/api/v1/services/web/environments/prod/history?limit=1', {
      token: h.tokens.viewer,
    });
    const [latest] = history.json.rollouts as { revision: string; actor: string; strategy: string }[];
    assert.deepEqual(
      { revision: latest?.revision, actor: latest?.actor, strategy: latest?.strategy },
      { revision: v1, actor: 'deployer-token', strategy: 'rollback' },
      'the rollback is recorded as the deployer who clicked',
    );
    await page.context().close();
  });
});
