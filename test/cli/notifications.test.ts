// `slipway notifications list` as users run it: the outbox of a project's store, every status, JSON and text.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/open-store.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/slipway.js');
const dir = mkdtempSync(join(tmpdir(), 'slipway-notifications-'));

function slipway(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.SLIPWAY_DATABASE_URL;
  delete env.SLIPWAY_SERVER;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: dir, env, timeout: 20_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const payload = (id: string) => ({
  trigger: 'deploy.completed',
  id,
  title: `web deployed (${id})`,
  text: '',
  at: 1,
});

describe('slipway notifications list', { concurrency: true }, () => {
  before(async () => {
    const store = await openStore({ projectDir: dir });
    try {
      for (const [id, channel] of [
        ['evt-1', 'ops-hook'],
        ['evt-2', 'team-slack'],
        ['evt-3', 'ops-hook'],
      ] as const)
        await store.enqueueNotificationDelivery({
          idempotencyKey: `${id}/${channel}`,
          channel,
          trigger: 'deploy.completed',
          payload: payload(id),
        });
      const [first, second] = await store.claimNotificationDeliveries({
        owner: 'w',
        limit: 2,
        leaseMs: 60_000,
      });
      await store.failNotificationDelivery(
        first!.id,
        'w',
        'REJECTED: the webhook refused the notification (HTTP 400)',
      );
      await store.markNotificationDelivered(second!.id);
    } finally {
      await store.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--json lists every delivery newest first, without the payload', async () => {
    const { code, stdout, stderr } = await slipway('notifications', 'list', '--json');
    assert.equal(code, 0, stderr);
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((r) => [r.idempotencyKey, r.status, r.attempts, r.title]),
      [
        ['evt-3/ops-hook', 'pending', 0, 'web deployed (evt-3)'],
        ['evt-2/team-slack', 'delivered', 1, 'web deployed (evt-2)'],
        ['evt-1/ops-hook', 'failed', 1, 'web deployed (evt-1)'],
      ],
    );
    assert.ok(rows.every((r) => !('payload' in r)));
  });

  test('--status failed shows the failed delivery with its last error', async () => {
    const { code, stdout, stderr } = await slipway('notifications', 'list', '--status', 'failed');
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 2, stdout);
    assert.match(
      lines[0] ?? '',
      /failed\s+ops-hook {2}deploy\.completed {2}1 attempt {2}queued \S+ \S+ {2}gave up /,
    );
    assert.match(lines[1] ?? '', /last error: REJECTED: the webhook refused the notification \(HTTP 400\)$/);
  });

  test('text lists pending and delivered ones with the time that matters', async () => {
    const { code, stdout } = await slipway('notifications', 'list');
    assert.equal(code, 0);
    assert.match(stdout, /pending\s+ops-hook .* 0 attempts .* next try \d{4}-/);
    assert.match(stdout, /delivered\s+team-slack .* delivered \d{4}-/);
  });

  test('a bad --status or --limit, or a server, is a usage error (exit 2)', async () => {
    const bad = await slipway('notifications', 'list', '--status', 'lost');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--status must be one of pending, sending, delivered, failed/);
    assert.equal((await slipway('notifications', 'list', '--limit', '0')).code, 2);
    const remote = await slipway('--server', 'http://127.0.0.1:9', 'notifications', 'list');
    assert.equal(remote.code, 2);
    assert.match(remote.stderr, /runs locally only/);
  });
});
