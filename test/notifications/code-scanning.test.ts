/**
 * GitHub code scanning uploads through the outbox: a job's stored findings (a SARIF tool's and an
 * OSV scan's, one of them suppressed) become one `findings.recorded` delivery to a GitHub channel with
 * `codeScanning: true`, sent by the real outbox worker to a stand-in of the GitHub API that checks
 * every request against GitHub's OpenAPI description. The test decodes what arrived (base64, gunzip,
 * JSON) and reads it back with Slipway's own SARIF reader, which validates it against the SARIF 2.1.0
 * schema; a 502 is retried and a 403 fails for good without touching the run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Finding } from '../../src/findings/finding.js';
import { readSarif } from '../../src/findings/read-sarif.js';
import { channelConfigSchema, createChannel, triggersOf } from '../../src/notifications/channel-config.js';
import { NotificationError } from '../../src/notifications/errors.js';
import { notificationOfEvent } from '../../src/notifications/event-notification.js';
import { GithubChannel } from '../../src/notifications/github-channel.js';
import type { Notification } from '../../src/notifications/notification.js';
import { enqueueNotification } from '../../src/notifications/outbox.js';
import { OutboxWorker, systemOutboxClock } from '../../src/notifications/outbox-worker.js';
import { openStore } from '../../src/store/open-store.js';
import type { Run, Store } from '../../src/store/store.js';
import type { NewFinding } from '../../src/store/stored-findings.js';
import { rejection } from './channel-contract.js';
import { type GithubReceiver, startGithubReceiver } from './receivers/github-receiver.js';

const TOKEN = 'ghp_CodeScanningToken0123456789abcdefAB';
const SHA = '8f14e45fceea167a5a36dedd4bea2543f3c1a2b9';
const UPLOADS = '/api/v3/repos/acme/shop/code-scanning/sarifs';

const EVAL: Finding = {
  tool: 'Semgrep',
  rule: 'js.eval',
  severity: 'critical',
  message: 'eval of user input',
  location: { file: 'src/app.js', line: 7, column: 5 },
  fingerprint: 'aa11',
  fingerprintSource: 'report',
};
const CONSOLE: Finding = {
  ...EVAL,
  rule: 'js.console',
  severity: 'low',
  message: 'console.log left in',
  location: { file: 'src/app.js', line: 9 },
  fingerprint: 'bb22',
};
const LODASH: Finding = {
  tool: 'osv',
  rule: 'GHSA-p6mc-m468-83gw',
  severity: 'high',
  message: 'lodash@4.17.15: Prototype Pollution in lodash',
  location: { file: 'package-lock.json' },
  fingerprint: 'npm/lodash@4.17.15/GHSA-p6mc-m468-83gw',
  fingerprintSource: 'report',
};
const STORED: NewFinding[] = [
  { ...EVAL, status: 'counted' },
  { ...CONSOLE, status: 'below' },
  { ...LODASH, status: 'counted' },
  {
    ...EVAL,
    fingerprint: 'cc33',
    status: 'suppressed',
    suppression: { rule: 'js.eval', path: 'scripts/**', reason: 'build script', author: 'alice' },
  },
];

/** The job's findings recorded as the pipeline records them, and the notification that event makes. */
async function recordedFindings(store: Store, run: Run, job: string): Promise<Notification> {
  await store.recordFindings(run.id, job, STORED);
  const event = await store.appendEvent({
    type: 'findings.recorded',
    actor: 'alice',
    runId: run.id,
    commitSha: run.commitSha,
    subject: job,
    data: { branch: 'main', tools: ['ESLint', 'Semgrep', 'osv'], gate: 'failed', failOn: 'high', total: 4 },
  });
  const notification = notificationOfEvent(event, 'https://slipway.example.com');
  assert.ok(notification !== undefined);
  // The server names the channel's repository on every notification it queues.
  return { ...notification, repository: 'acme/shop' };
}

describe('GitHub code scanning uploads', { timeout: 60_000 }, () => {
  let github: GithubReceiver;
  let store: Store;
  let run: Run;
  before(async () => {
    github = await startGithubReceiver();
    store = await openStore({ projectDir: mkdtempSync(join(tmpdir(), 'slipway-code-scanning-')) });
    run = await store.createRun({
      pipeline: 'shop',
      actor: 'alice',
      trigger: 'push',
      commitSha: SHA,
      branch: 'main',
      status: 'failure',
    });
  });
  after(async () => {
    await store?.close();
    await github?.close();
  });

  const channelConfig = (codeScanning: boolean) =>
    channelConfigSchema.parse({ kind: 'github', baseUrl: github.baseUrl, token: TOKEN, codeScanning });

  const workerFor = (config: ReturnType<typeof channelConfig>, lines: string[]) =>
    new OutboxWorker(
      {
        store,
        channels: new Map([['github', createChannel(config, { now: () => Date.now(), findings: store })]]),
        clock: systemOutboxClock(),
        logger: { info: (m) => lines.push(m), error: (m) => lines.push(m) },
        owner: 'test-worker',
        random: () => 0,
      },
      { retry: { baseMs: 10, capMs: 20, maxAttempts: 5, maxRetryAfterMs: 1_000 }, leaseMs: 5_000 },
    );

  test("a job's findings reach code scanning as gzipped, base64 SARIF, after a 502 is retried", async () => {
    const config = channelConfig(true);
    const notification = await recordedFindings(store, run, 'sast');
    const queued = await enqueueNotification(store, notification, [
      { name: 'github', triggers: triggersOf(config) },
    ]);
    assert.deepEqual(queued, ['github']);
    const start = github.http.requests.length;
    github.http.respondNext({ status: 502, body: '{"message":"Server Error"}' });
    const lines: string[] = [];
    const worker = workerFor(config, lines);
    assert.equal(await worker.runOnce(), 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await worker.runOnce(), 1);
    const [delivery] = await store.listNotificationDeliveries({});
    assert.equal(delivery?.status, 'delivered', lines.join('\n'));
    assert.equal(delivery?.attempts, 2);

    const requests = github.http.requests.slice(start);
    assert.deepEqual(
      requests.map((r) => [r.method, r.path, r.status]),
      [
        ['POST', UPLOADS, 502],
        ['POST', UPLOADS, 202],
      ],
    );
    assert.deepEqual(github.violations, []);
    assert.deepEqual(github.operations().slice(start), [
      'code-scanning/upload-sarif',
      'code-scanning/upload-sarif',
    ]);
    const body = JSON.parse(requests[1]!.body.toString('utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['commit_sha', 'ref', 'sarif', 'tool_name']);
    assert.equal(body.commit_sha, SHA);
    assert.equal(body.ref, 'refs/heads/main');
    assert.equal(body.tool_name, 'Slipway');
    assert.match(body.sarif ?? '', /^[A-Za-z0-9+/]+=*$/);

    const sarif: unknown = JSON.parse(gunzipSync(Buffer.from(body.sarif!, 'base64')).toString('utf8'));
    // Validated against the SARIF 2.1.0 schema, then read: the suppressed finding is marked as such.
    assert.deepEqual(readSarif(sarif, { file: 'upload.sarif' }), [EVAL, CONSOLE, LODASH]);
    const runs = (
      sarif as { runs: { tool: { driver: { name: string } }; automationDetails: { id: string } }[] }
    ).runs;
    assert.deepEqual(
      runs.map((r) => [r.tool.driver.name, r.automationDetails.id]),
      [
        ['ESLint', 'slipway/sast/'],
        ['Semgrep', 'slipway/sast/'],
        ['osv', 'slipway/sast/'],
      ],
    );
    assert.ok(requests.every((r) => r.headers.authorization === `token ${TOKEN}`));
  });

  test('a refusal (code scanning not enabled) fails the delivery for good, token-free, and leaves the run as it was', async () => {
    const config = channelConfig(true);
    const notification = await recordedFindings(store, run, 'deps');
    await enqueueNotification(store, notification, [{ name: 'github', triggers: triggersOf(config) }]);
    github.http.respondNext({
      status: 403,
      headers: { 'content-type': 'application/json' },
      body: '{"message":"Advanced Security must be enabled for this repository to use code scanning."}',
    });
    const lines: string[] = [];
    assert.equal(await workerFor(config, lines).runOnce(), 1);
    const failed = await store.listNotificationDeliveries({ status: 'failed' });
    assert.equal(failed.length, 1);
    assert.match(failed[0]?.lastError ?? '', /REJECTED: .*403.*Advanced Security/);
    assert.ok(!JSON.stringify(failed).includes(TOKEN));
    assert.ok(!lines.join('\n').includes(TOKEN));
    assert.equal((await store.getRun(run.id))?.status, 'failure');
  });

  test('a channel without codeScanning is not queued findings, and refuses them without calling GitHub', async () => {
    const config = channelConfig(false);
    const notification = await recordedFindings(store, run, 'lint');
    assert.deepEqual(
      await enqueueNotification(store, notification, [{ name: 'github', triggers: triggersOf(config) }]),
      [],
    );
    const start = github.http.requests.length;
    const off = new GithubChannel(
      { baseUrl: github.baseUrl, token: TOKEN, timeoutMs: 5_000 },
      {
        now: () => Date.now(),
        findings: store,
      },
    );
    const refused = await rejection(off.send(notification, 'k-off'));
    assert.deepEqual([refused.code, refused.retryable], ['UNSUPPORTED_TRIGGER', false]);
    const failingStore = {
      listFindings: async () => {
        throw new Error('database is locked');
      },
    };
    const on = new GithubChannel(
      { baseUrl: github.baseUrl, token: TOKEN, timeoutMs: 5_000, codeScanning: true },
      { now: () => Date.now(), findings: failingStore },
    );
    const unreadable = await rejection(on.send(notification, 'k-unreadable'));
    assert.ok(unreadable instanceof NotificationError);
    assert.deepEqual([unreadable.code, unreadable.retryable], ['SOURCE_UNAVAILABLE', true]);
    assert.match(unreadable.message, /job lint of run \d+.*database is locked/);
    const noBranch = { ...notification, findings: { ...notification.findings!, branch: undefined } };
    delete (noBranch.findings as { branch?: string }).branch;
    const missing = await rejection(on.send(noBranch, 'k-no-branch'));
    assert.deepEqual([missing.code, missing.retryable], ['MISSING_FIELD', false]);
    assert.equal(github.http.requests.length, start);
  });
});
