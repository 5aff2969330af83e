// Notifications from a running server: events of the log its channels subscribe to reach a real
// webhook receiver as signed CloudEvents, through the outbox, once each, retried after a failure.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifySignature } from '../../src/notifications/webhook-signature.js';
import { CHROMIUM, skipWithout } from '../helpers/outside-program.js';
import { type HttpReceiver, startHttpReceiver } from '../notifications/receivers/http-receiver.js';
import { dashboardPage, launchChromium } from './helpers/dashboard-page.js';
import { type Harness, startServer, tempProject, waitFor } from './helpers/server-harness.js';

const KEY = 'hmac-key-for-the-webhook-0123456789';

describe('notifications from slipway server', { timeout: 60_000 }, () => {
  let h: Harness;
  let receiver: HttpReceiver;
  let slack: HttpReceiver;

  before(async () => {
    receiver = await startHttpReceiver();
    slack = await startHttpReceiver();
    const project = await tempProject(
      [
        'version: 1',
        'gitops:',
        '  repository: { url: desired, branch: main }',
        '  sync: { interval: 10m }',
        '  notifications:',
        `    webhook: { url: '${receiver.origin}/hook', secret: HOOK_KEY, triggers: [sync.succeeded, sync.failed] }`,
        '    slack: { webhook: SLACK_WEBHOOK_URL, triggers: [sync.succeeded] }',
        '',
      ].join('\n'),
    );
    h = await startServer(project, undefined, {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        HOOK_KEY: KEY,
        SLACK_WEBHOOK_URL: `${slack?.origin}/services/T000/B000/secret-part`,
      },
    });
    // Let the notifier take its starting point (events before it are not announced).
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  after(async () => {
    await h?.close();
    await receiver?.close();
    await slack?.close();
  });

  test('a sync event reaches the webhook as a signed CloudEvent, once; an unsubscribed one does not', async () => {
    receiver.respondNext({ status: 503, body: 'busy' });
    const synced = await h.store.appendEvent({
      type: 'gitops.synced',
      actor: 'gitops',
      service: 'web',
      environment: 'prod',
      commitSha: 'a'.repeat(40),
      subject: 'gitops/web/prod',
      data: { revision: 'r-000000000001', commit: 'a'.repeat(40), subject: 'web v2', author: 'Dev' },
    });
    await h.store.appendEvent({ type: 'approval.requested', actor: 'ci', environment: 'prod', data: {} });
    const delivered = await waitFor(
      'the delivery after a failed attempt',
      async () => {
        const ok = receiver.requests.filter((r) => r.status === 200);
        return ok.length > 0 ? ok : undefined;
      },
      20_000,
    );
    assert.equal(receiver.requests[0]?.status, 503, 'the first attempt failed and was retried');
    const request = delivered[0];
    assert.ok(request);
    assert.equal(request.path, '/hook');
    assert.ok(verifySignature(request.body, KEY, request.headers['x-slipway-signature-256'] as string));
    const event = JSON.parse(request.body.toString('utf8'));
    assert.equal(event.specversion, '1.0');
    assert.equal(event.id, `event-${synced.id}/webhook`);
    assert.match(JSON.stringify(event.data), /web v2/);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(
      receiver.requests.filter((r) => r.status === 200).length,
      1,
      'once, and the approval not at all',
    );
    const posted = await waitFor('the Slack message', async () => slack.requests[0], 20_000);
    assert.equal(posted.path, '/services/T000/B000/secret-part');
    const message = JSON.parse(posted.body.toString('utf8'));
    assert.equal(message.blocks[0].type, 'header');
    assert.match(JSON.stringify(message), /web v2/);
    assert.equal(slack.requests.length, 1, 'Slack is told once');
    const deliveries = await h.store.listNotificationDeliveries({});
    assert.deepEqual(deliveries.map((d) => [d.channel, d.status]).sort(), [
      ['slack', 'delivered'],
      ['webhook', 'delivered'],
    ]);
    assert.doesNotMatch(JSON.stringify(deliveries), /secret-part/);
    assert.doesNotMatch(JSON.stringify(await h.store.listNotificationDeliveries({})), new RegExp(KEY));
  });

  test('a delivery the receiver refuses fails for good, and the API shows it', async () => {
    receiver.respondNext({ status: 400, body: 'no such hook' });
    await h.store.appendEvent({
      type: 'gitops.failed',
      actor: 'gitops',
      service: 'web',
      environment: 'prod',
      data: { reason: 'revision did not become ready', commit: 'b'.repeat(40), subject: 'web v3' },
    });
    const failed = await waitFor('the failed delivery', async () => {
      const answer = await h.api('GET', '/api/v1/notifications?status=failed', { token: h.tokens.viewer });
      assert.equal(answer.status, 200, answer.text);
      return answer.json.deliveries.length > 0 ? answer.json.deliveries[0] : undefined;
    });
    assert.equal(failed.channel, 'webhook');
    assert.equal(failed.trigger, 'sync.failed');
    assert.match(failed.lastError, /HTTP 400/);
    assert.doesNotMatch(JSON.stringify(failed), new RegExp(KEY));
  });

  test('the dashboard shows the failed delivery', { skip: skipWithout(CHROMIUM) }, async () => {
    const browser = await launchChromium();
    try {
      const { page } = await dashboardPage(browser, h.url, h.tokens.viewer, '#/gitops');
      await page.waitForSelector('#gitops-notifications tr[data-status="failed"]', { timeout: 15_000 });
      assert.match((await page.textContent('#gitops-notifications')) ?? '', /HTTP 400/);
    } finally {
      await browser.close();
    }
  });
});
