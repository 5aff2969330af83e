/**
 * The Slack and generic webhook channels against real HTTP servers on 127.0.0.1: the contract suite
 * for both, then the Slack Block Kit shape, the CloudEvent (validated against the CloudEvents JSON
 * schema), its HMAC signature, and the HTTP statuses that are retryable or not.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { SlackChannel } from '../../src/notifications/slack-channel.js';
import { WebhookChannel } from '../../src/notifications/webhook-channel.js';
import { verifySignature } from '../../src/notifications/webhook-signature.js';
import {
  assertNoSecret,
  type ChannelHarness,
  closedPort,
  describeChannelContract,
  rejection,
} from './channel-contract.js';
import { DEPLOY_COMPLETED, PIPELINE_FAILED } from './notification-fixtures.js';
import { type HttpReceiver, startHttpReceiver } from './receivers/http-receiver.js';

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const SLACK_PATH = '/services/T0SLIPWAY/B0NOTIFY/s3cr3tW3bh00kT0k3n';
const HMAC_SECRET = 'whsec-5b2d8e1f0a7c4e39';
const NOW = Date.UTC(2026, 2, 14, 10, 0, 0);
const deps = { now: () => NOW };

function slackHarness(): () => Promise<ChannelHarness> {
  return async () => {
    const receiver = await startHttpReceiver();
    const url = `${receiver.origin}${SLACK_PATH}`;
    return {
      channel: new SlackChannel({ webhookUrl: url, timeoutMs: 5_000 }, deps),
      secrets: [url, SLACK_PATH],
      deliveredKeys: async () => accepted(receiver),
      failNext: (failure) =>
        receiver.respondNext(
          failure === 'transient'
            ? { status: 503, body: 'service unavailable' }
            : { status: 404, body: 'no_service' },
        ),
      unreachableChannel: async () =>
        new SlackChannel(
          { webhookUrl: `http://127.0.0.1:${await closedPort()}${SLACK_PATH}`, timeoutMs: 5_000 },
          deps,
        ),
      close: () => receiver.close(),
    };
  };
}

function webhookHarness(): () => Promise<ChannelHarness> {
  return async () => {
    const receiver = await startHttpReceiver(() => ({ status: 202 }));
    const url = `${receiver.origin}/hooks/slipway?token=q5Zr8yQ2`;
    return {
      channel: new WebhookChannel(
        { url, secret: HMAC_SECRET, source: '/slipway/test', timeoutMs: 5_000 },
        deps,
      ),
      secrets: [url, 'q5Zr8yQ2', HMAC_SECRET],
      deliveredKeys: async () => accepted(receiver),
      failNext: (failure) =>
        receiver.respondNext(failure === 'transient' ? { status: 502 } : { status: 400, body: 'bad event' }),
      unreachableChannel: async () =>
        new WebhookChannel(
          {
            url: `http://127.0.0.1:${await closedPort()}/hooks/slipway?token=q5Zr8yQ2`,
            source: '/s',
            timeoutMs: 5_000,
          },
          deps,
        ),
      close: () => receiver.close(),
    };
  };
}

/** Idempotency keys of the requests the receiver accepted (answered with a 2xx). */
function accepted(receiver: HttpReceiver): readonly string[] {
  return receiver.requests
    .filter((request) => request.status >= 200 && request.status < 300)
    .map((request) => {
      const key = request.headers['x-slipway-idempotency-key'];
      if (typeof key === 'string') return key;
      return String((JSON.parse(request.body.toString('utf8')) as { id: string }).id);
    });
}

describeChannelContract('slack', slackHarness(), DEPLOY_COMPLETED);
describeChannelContract('webhook', webhookHarness(), DEPLOY_COMPLETED);

describe('slack channel', () => {
  let receiver: HttpReceiver;
  let channel: SlackChannel;
  let url: string;
  before(async () => {
    receiver = await startHttpReceiver();
    url = `${receiver.origin}${SLACK_PATH}`;
    channel = new SlackChannel({ webhookUrl: url, timeoutMs: 5_000 }, deps);
  });
  after(async () => {
    await receiver?.close();
  });

  it('POSTs a Block Kit message with a header, facts, and a button to the dashboard', async () => {
    await channel.send(DEPLOY_COMPLETED, 'deploy-0001/slack-1');
    const request = receiver.requests.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, SLACK_PATH);
    assert.match(String(request.headers['content-type']), /^application\/json/);
    const message = JSON.parse(request.body.toString('utf8')) as {
      text: string;
      blocks: {
        type: string;
        text?: { type: string; text: string };
        fields?: unknown[];
        elements?: unknown[];
      }[];
    };
    assert.match(message.text, /web deployed to production/);
    assert.deepEqual(
      message.blocks.map((block) => block.type),
      ['header', 'section', 'context', 'actions'],
    );
    assert.deepEqual(message.blocks[0]!.text, { type: 'plain_text', text: 'web deployed to production' });
    assert.ok((message.blocks[1]!.fields ?? []).length <= 10);
    assert.deepEqual(message.blocks[1]!.fields?.[0], { type: 'mrkdwn', text: '*Service*\nweb' });
    assert.deepEqual(message.blocks[3]!.elements, [
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Open in Slipway' },
        url: 'https://slipway.example.com/runs/42',
        action_id: 'slipway-open',
      },
    ]);
  });

  it('turns 429 with Retry-After into a retryable error carrying the wait', async () => {
    receiver.respondNext({ status: 429, headers: { 'retry-after': '30' }, body: 'rate_limited' });
    const error = await rejection(channel.send(DEPLOY_COMPLETED, 'deploy-0001/slack-2'));
    assert.equal(error.code, 'RATE_LIMITED');
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 30_000);
    assert.equal(error.status, 429);
  });

  it('never shows the webhook URL, even when the receiver echoes it back', async () => {
    receiver.respondNext({ status: 400, body: `invalid_payload for ${url}` });
    const error = await rejection(channel.send(DEPLOY_COMPLETED, 'deploy-0001/slack-3'));
    assert.equal(error.code, 'REJECTED');
    assert.match(error.message, /invalid_payload/);
    assertNoSecret(error, [url, SLACK_PATH]);
  });
});

describe('webhook channel', () => {
  let receiver: HttpReceiver;
  let channel: WebhookChannel;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const schemaText = readFileSync(new URL('./fixtures/cloudevents-schema.json', import.meta.url), 'utf8');
  const validateCloudEvent = ajv.compile(JSON.parse(schemaText) as object);
  before(async () => {
    receiver = await startHttpReceiver(() => ({ status: 204 }));
    channel = new WebhookChannel(
      { url: `${receiver.origin}/events`, secret: HMAC_SECRET, source: '/slipway/test', timeoutMs: 5_000 },
      deps,
    );
  });
  after(async () => {
    await receiver?.close();
  });

  it('POSTs a structured-mode CloudEvent that the CloudEvents JSON schema accepts', async () => {
    await channel.send(DEPLOY_COMPLETED, 'deploy-0001/hook-1');
    await channel.send(PIPELINE_FAILED, 'pipeline-0002/hook-1');
    const [deployed, finished] = receiver.requests.slice(-2).map((request) => {
      assert.match(String(request.headers['content-type']), /^application\/cloudevents\+json/);
      const event = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
      assert.ok(validateCloudEvent(event), ajv.errorsText(validateCloudEvent.errors));
      return event;
    });
    assert.equal(deployed!.specversion, '1.0');
    assert.equal(deployed!.id, 'deploy-0001/hook-1');
    assert.equal(deployed!.source, '/slipway/test');
    assert.equal(deployed!.type, 'dev.cdevents.service.deployed.0.2.0');
    assert.equal(deployed!.time, '2026-03-14T09:26:53.000Z');
    assert.equal(deployed!.subject, 'production/web');
    assert.equal(deployed!.datacontenttype, 'application/json');
    assert.deepEqual((deployed!.data as { subject: unknown }).subject, {
      id: 'production/web',
      source: '/slipway/test',
      type: 'service',
      content: {
        environment: { id: 'production' },
        artifactId: 'pkg:generic/web@8f14e45fceea167a5a36dedd4bea2543f3c1a2b9',
      },
    });
    assert.equal(finished!.type, 'dev.cdevents.pipelinerun.finished.0.2.0');
    assert.equal(
      (finished!.data as { subject: { content: { outcome: string } } }).subject.content.outcome,
      'failure',
    );
  });

  it('signs the exact body bytes; the signature fails under another secret or another body', async () => {
    await channel.send(DEPLOY_COMPLETED, 'deploy-0001/hook-2');
    const request = receiver.requests.at(-1)!;
    const signature = request.headers['x-slipway-signature-256'];
    assert.equal(typeof signature, 'string');
    assert.match(String(signature), /^sha256=[0-9a-f]{64}$/);
    assert.equal(verifySignature(request.body, HMAC_SECRET, String(signature)), true);
    assert.equal(verifySignature(request.body, 'whsec-another-secret-0000', String(signature)), false);
    const tampered = Buffer.from(request.body.toString('utf8').replace('"production"', '"staging"'));
    assert.equal(verifySignature(tampered, HMAC_SECRET, String(signature)), false);
    assert.equal(verifySignature(request.body, HMAC_SECRET, undefined), false);
  });

  it('maps the receiver statuses: 5xx and 429 retryable, 400 permanent', async () => {
    receiver.respondNext(
      { status: 500 },
      { status: 429, headers: { 'retry-after': 'Sat, 14 Mar 2026 10:00:05 GMT' } },
      { status: 400 },
      { status: 408 },
    );
    const server = await rejection(channel.send(DEPLOY_COMPLETED, 'deploy-0001/hook-3'));
    assert.deepEqual([server.code, server.retryable, server.status], ['SERVER_ERROR', true, 500]);
    const limited = await rejection(channel.send(DEPLOY_COMPLETED, 'deploy-0001/hook-3'));
    assert.deepEqual([limited.code, limited.retryable, limited.retryAfterMs], ['RATE_LIMITED', true, 5_000]);
    const refused = await rejection(channel.send(DEPLOY_COMPLETED, 'deploy-0001/hook-3'));
    assert.deepEqual([refused.code, refused.retryable, refused.kind], ['REJECTED', false, 'failed']);
    const timedOut = await rejection(channel.send(DEPLOY_COMPLETED, 'deploy-0001/hook-3'));
    assert.deepEqual([timedOut.code, timedOut.retryable], ['TIMEOUT', true]);
  });

  it('fails retryably with TIMEOUT when the receiver does not answer in time', async () => {
    // A server that reads the request and never answers.
    const hanging = createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const { port } = hanging.address() as AddressInfo;
    const slow = new WebhookChannel(
      { url: `http://127.0.0.1:${port}/slow`, source: '/s', timeoutMs: 200 },
      deps,
    );
    try {
      const error = await rejection(slow.send(DEPLOY_COMPLETED, 'deploy-0001/hook-4'));
      assert.deepEqual([error.code, error.retryable], ['TIMEOUT', true]);
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});
