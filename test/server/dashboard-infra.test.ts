// The approvals page of the dashboard in a real (headless Debian) Chromium, for a gate in front of
// infrastructure a policy denies: the plan's summary, one row per change, the DENY row; the
// override reason only for an admin; approving without a reason is refused in the page, approving
// with one lets the run apply the plan and finish.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { CHROMIUM, skipWithout, TERRAFORM } from '../helpers/outside-program.js';
import { dashboardPage, launchChromium } from './helpers/dashboard-page.js';
import {
  applyProduction,
  infraServerProject,
  infraServerYaml,
  stateList,
} from './helpers/infra-server-project.js';
import { type Harness, startServer, waitFor } from './helpers/server-harness.js';

const skip = skipWithout(CHROMIUM) || skipWithout(TERRAFORM);

describe('the approvals page with an infrastructure plan', { skip, timeout: 90_000 }, () => {
  let h: Harness;
  let store: Store;
  let dir: string;
  let browser: Browser;

  before(async () => {
    // Production runs 2 replicas; the pipeline's config wants 1, so its plan destroys one.
    dir = infraServerProject({ replicas: 2 });
    store = await openStore({ projectDir: dir });
    await applyProduction(dir, store);
    writeFileSync(join(dir, 'slipway.yaml'), infraServerYaml({ replicas: 1 }));
    h = await startServer(dir, store);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    await store?.close();
  });

  test('the gate shows the plan and its deny; an admin approves with a reason and the run applies it', async () => {
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
    assert.equal(started.status, 202, started.text);
    const runId: number = started.json.runId;
    await waitFor('the production gate', async () =>
      (await h.store.getApproval(runId, 'production'))?.status === 'pending' ? true : undefined,
    );
    const gate = `[data-gate="${runId}/production"]`;

    // An approver sees the plan and may approve, but is offered no override.
    const approver = await dashboardPage(browser, h.url, h.tokens.approver, '#/approvals');
    await approver.page.waitForSelector(`${gate} [data-plan-summary]`, { timeout: 15_000 });
    assert.equal(
      (await approver.page.textContent(`${gate} [data-plan-summary]`))?.trim(),
      'Plan: 0 to add, 0 to change, 1 to destroy.',
    );
    assert.equal(await approver.page.locator(`${gate} button[data-decision="approve"]`).count(), 1);
    assert.equal(await approver.page.locator(`${gate} [aria-label="override reason"]`).count(), 0);
    assert.deepEqual(approver.errors, []);
    await approver.page.close();

    const { page, errors } = await dashboardPage(browser, h.url, h.tokens.admin, '#/approvals');
    await page.waitForSelector(`${gate} [data-plan-summary]`, { timeout: 15_000 });
    const changes = page.locator(`${gate} tbody[data-plan-changes] tr`);
    assert.equal(await changes.count(), 1);
    assert.equal(await changes.first().getAttribute('data-action'), 'delete');
    assert.match((await changes.first().textContent()) ?? '', /terraform_data\.web\[1\]/);
    const denies = page.locator(`${gate} tbody[data-plan-policy] tr[data-severity="deny"]`);
    assert.equal(await denies.count(), 1);
    assert.match(
      (await denies.first().textContent()) ?? '',
      /no-destroy-in-production.*terraform_data\.web\[1\]/,
    );
    assert.match(
      (await page.textContent(`${gate} [data-plan-cost]`)) ?? '',
      /^Cost: [+-]\d+\.\d\d USD\/month/,
    );

    // Without a reason the deny stands, and the page says so.
    const approve = page.locator(`${gate} button[data-decision="approve"]`);
    await approve.click();
    await page.waitForSelector('#toast.bad:not([hidden])', { timeout: 10_000 });
    assert.match((await page.textContent('#toast')) ?? '', /denied by policy/);
    assert.equal((await h.store.getApproval(runId, 'production'))?.status, 'pending');

    await page.fill(`${gate} [aria-label="override reason"]`, 'retiring a replica (CHG-7)');
    await page.fill(`${gate} [aria-label="comment"]`, 'CHG-7 approved');
    // Another gate's event re-renders the page while the admin writes: what they typed stays.
    await page.evaluate(`document.querySelector('${gate}').dataset.before = 'yes'`);
    await h.store.appendEvent({
      type: 'approval.requested',
      actor: 'test',
      environment: 'staging',
      data: {},
    });
    await page.waitForSelector(`${gate}:not([data-before])`, { timeout: 10_000 });
    assert.equal(
      await page.inputValue(`${gate} [aria-label="override reason"]`),
      'retiring a replica (CHG-7)',
    );
    assert.equal(await page.inputValue(`${gate} [aria-label="comment"]`), 'CHG-7 approved');
    await approve.click();
    const run = await waitFor('the run to finish', async () => {
      const r = await h.store.getRun(runId);
      return r?.finishedAt ? r : undefined;
    });
    assert.equal(run.status, 'success');
    assert.deepEqual(stateList(dir), ['terraform_data.web[0]']);
    const [overridden] = await h.store.listEvents({ types: ['infra.overridden'] });
    assert.equal(overridden?.actor, 'admin-token');
    assert.equal(overridden?.data.reason, 'retiring a replica (CHG-7)');
    assert.equal((await h.store.getApproval(runId, 'production'))?.comment, 'CHG-7 approved');
    // The gate leaves the page once decided.
    await page.waitForSelector('#approvals >> text=Nothing is waiting for approval.', { timeout: 10_000 });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
