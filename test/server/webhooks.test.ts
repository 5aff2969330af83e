// GitHub webhooks against a real git repository as the project: signed pushes to the tracked
// branch run the pushed commit in its own workspace; everything else starts nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signWebhookBody } from '../../src/server/webhook-signature.js';
import { type Harness, startServer, tempProject, waitFor } from './helpers/server-harness.js';

const SECRET = 'hook-secret-for-tests';

const pipeline = (marker: string) => `version: 1
project: { name: hooked }
jobs:
  hello: { run: echo hi-from-${marker} }
`;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
}

/** Commits `yaml` as slipway.yaml on the current branch; returns the commit id. */
async function commit(dir: string, yaml: string, message: string): Promise<string> {
  await writeFile(join(dir, 'slipway.yaml'), yaml);
  git(dir, 'add', 'slipway.yaml');
  git(dir, '-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

const pushPayload = (sha: string, ref = 'refs/heads/main') =>
  JSON.stringify({
    ref,
    before: '0'.repeat(40),
    after: sha,
    commits: [
      {
        id: sha,
        timestamp: '2026-12-01T10:00:00+01:00',
        message: 'the change\n\nbody',
        author: { name: 'Alice' },
      },
    ],
    repository: { full_name: 'acme/hooked', clone_url: 'https://github.com/acme/hooked.git' },
    pusher: { name: 'alice', email: 'alice@example.com' },
  });

describe('GitHub webhooks', () => {
  let h: Harness;
  let first: string;
  let second: string;
  let deliveries = 0;

  /** Sends a webhook; `signature: null` leaves the header out. */
  const send = (
    body: string,
    options: { event?: string; delivery?: string; signature?: string | null } = {},
  ) => {
    const headers: Record<string, string> = {
      'x-github-event': options.event ?? 'push',
      'x-github-delivery': options.delivery ?? `delivery-${++deliveries}`,
    };
    const signature = options.signature === undefined ? signWebhookBody(SECRET, body) : options.signature;
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    return h.api('POST', '/api/v1/hooks/github', { rawBody: body, headers });
  };
  const runCount = async () => (await h.store.listRuns({ limit: 1000 })).length;

  before(async () => {
    const dir = await tempProject(pipeline('first'));
    git(dir, 'init', '-q', '-b', 'main');
    await writeFile(join(dir, '.gitignore'), '.slipway/\n');
    git(dir, 'add', '.gitignore');
    first = await commit(dir, pipeline('first'), 'first');
    second = await commit(dir, pipeline('second'), 'second');
    h = await startServer(dir, undefined, {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SLIPWAY_WEBHOOK_SECRET: SECRET },
    });
  });
  after(async () => {
    await h.close();
  });

  test('a signed push to main runs the pushed commit (not HEAD) in its workspace, as github:<pusher>', async () => {
    const response = await send(pushPayload(first), { delivery: 'push-first' });
    assert.equal(response.status, 202, response.text);
    assert.equal(response.json.status, 'accepted');
    assert.equal(response.json.commitSha, first);
    const runId: number = response.json.runId;
    const shown = await waitFor('the run to finish', async () => {
      const r = await h.api('GET', `/api/v1/runs/${runId}`, { token: h.tokens.viewer });
      return r.json.run.finishedAt === null ? undefined : r.json;
    });
    assert.equal(shown.run.status, 'success');
    assert.equal(shown.run.commitSha, first);
    assert.equal(shown.run.branch, 'main');
    assert.equal(shown.run.actor, 'github:alice');
    assert.equal(shown.run.trigger, 'push');
    assert.ok(existsSync(join(h.projectDir, '.slipway', 'workspaces', first, 'slipway.yaml')));
    const logs = await h.api('GET', `/api/v1/runs/${runId}/logs`, { token: h.tokens.viewer });
    const text = logs.json.lines.map((l: { text: string }) => l.text).join('\n');
    assert.match(text, /hi-from-first/);
    assert.doesNotMatch(text, /hi-from-second/);
    assert.equal(git(h.projectDir, 'rev-parse', 'HEAD'), second, 'the project checkout is untouched');
    // The pushed commit is a merged change, stamped with its commit time: the start of its lead time.
    const merged = await h.store.listEvents({ types: ['change.merged'], commitSha: first });
    assert.deepEqual(
      merged.map((e) => [e.actor, e.subject, e.data]),
      [
        [
          'github:alice',
          'refs/heads/main',
          {
            branch: 'main',
            repository: 'acme/hooked',
            committedAt: Date.UTC(2026, 11, 1, 9),
            title: 'the change',
            author: 'Alice',
          },
        ],
      ],
    );
  });

  test('a redelivered push (same delivery id) starts no second run', async () => {
    const before = await runCount();
    const response = await send(pushPayload(second), { delivery: 'push-twice' });
    assert.equal(response.status, 202, response.text);
    const again = await send(pushPayload(second), { delivery: 'push-twice' });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.duplicate, true);
    assert.equal(again.json.runId, undefined);
    assert.equal(await runCount(), before + 1);
    assert.equal((await h.store.listEvents({ types: ['change.merged'], commitSha: second })).length, 1);
    const run = await h.store.getRun(response.json.runId);
    assert.equal(run?.commitSha, second);
  });

  test('a bad or missing signature is 401 and starts nothing', async () => {
    const before = await runCount();
    const body = pushPayload(second);
    const wrongSecret = await send(body, { signature: signWebhookBody('not-the-secret', body) });
    assert.equal(wrongSecret.status, 401);
    assert.equal(wrongSecret.json.error.code, 'BAD_SIGNATURE');
    const otherBody = await send(body, { signature: signWebhookBody(SECRET, `${body} `) });
    assert.equal(otherBody.status, 401);
    const missing = await send(body, { signature: null });
    assert.equal(missing.status, 401);
    const garbage = await send(body, { signature: 'sha256=zz' });
    assert.equal(garbage.status, 401);
    assert.equal(await runCount(), before);
  });

  test('a 10 MB body is 413 and starts nothing', async () => {
    const before = await runCount();
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: second,
      padding: 'x'.repeat(10 * 1024 * 1024),
    });
    const response = await send(body);
    assert.equal(response.status, 413);
    assert.equal(response.json.error.code, 'BODY_TOO_LARGE');
    assert.equal(await runCount(), before);
  });

  test('a ping, a push to another branch and a branch deletion are answered 202 ignored', async () => {
    const before = await runCount();
    const ping = await send(JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }), {
      event: 'ping',
    });
    assert.equal(ping.status, 202);
    assert.equal(ping.json.status, 'ignored');
    const other = await send(pushPayload(second, 'refs/heads/feature'));
    assert.equal(other.status, 202);
    assert.equal(other.json.status, 'ignored');
    const tag = await send(pushPayload(second, 'refs/tags/main'));
    assert.equal(tag.json.status, 'ignored');
    const deleted = await send(JSON.stringify({ ...JSON.parse(pushPayload('0'.repeat(40))), deleted: true }));
    assert.equal(deleted.json.status, 'ignored');
    assert.equal(await runCount(), before);
  });

  test('a commit the repository does not have is 422 UNKNOWN_COMMIT, and a later redelivery is not refused as a duplicate', async () => {
    const before = await runCount();
    const missing = 'f'.repeat(40);
    const response = await send(pushPayload(missing), { delivery: 'push-unknown' });
    assert.equal(response.status, 422, response.text);
    assert.equal(response.json.error.code, 'UNKNOWN_COMMIT');
    const again = await send(pushPayload(missing), { delivery: 'push-unknown' });
    assert.equal(again.status, 422, 'the refused delivery was not recorded');
    const bad = await send(pushPayload('not-a-sha'));
    assert.equal(bad.status, 400);
    assert.equal(await runCount(), before);
  });

  test('every webhook request is audited under the sender, without the secret or the signature', async () => {
    const body = pushPayload(second, 'refs/heads/feature');
    const signature = signWebhookBody(SECRET, body);
    await send(body, { delivery: 'audited-delivery' });
    await send(body, { delivery: 'audited-bad', signature: signWebhookBody('nope', body) });
    const audit = (await h.store.listEvents({ types: ['audit.recorded'] })).filter(
      (e) => e.subject === 'POST /api/v1/hooks/github',
    );
    const ok = audit.find(
      (e) => (e.data as { details?: { delivery?: string } }).details?.delivery === 'audited-delivery',
    );
    assert.ok(ok, 'the accepted delivery is audited');
    assert.equal(ok.actor, 'github:alice');
    assert.equal((ok.data as { status: number }).status, 202);
    const refused = audit.find(
      (e) => (e.data as { details?: { delivery?: string } }).details?.delivery === 'audited-bad',
    );
    assert.ok(refused, 'the refused delivery is audited');
    assert.equal((refused.data as { status: number }).status, 401);
    assert.ok(
      audit.some((e) => (e.data as { status: number }).status === 413),
      'the oversized body is audited',
    );
    const all = JSON.stringify(audit);
    assert.ok(!all.includes(SECRET), 'the secret is never recorded');
    assert.ok(!all.includes(signature.slice(7)), 'the signature is never recorded');
  });
});

describe('GitHub webhooks without a secret', () => {
  test('are refused with 503 and start nothing', async () => {
    const h = await startServer(await tempProject(pipeline('x')), undefined, { branch: 'main' });
    try {
      const body = pushPayload('a'.repeat(40));
      const response = await h.api('POST', '/api/v1/hooks/github', {
        rawBody: body,
        headers: {
          'x-github-event': 'push',
          'x-github-delivery': 'd',
          'x-hub-signature-256': signWebhookBody('', body),
        },
      });
      assert.equal(response.status, 503);
      assert.equal(response.json.error.code, 'WEBHOOKS_DISABLED');
      assert.equal((await h.store.listRuns()).length, 0);
    } finally {
      await h.close();
    }
  });
});
