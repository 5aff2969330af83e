// Store contract suite, server records (tokens, webhook deliveries, projects): run on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createBackends, fakeClock, rawQuery } from './helpers/backends.js';
import { rejectsWith } from './helpers/contract.js';

for (const backend of createBackends()) {
  // Every test opens its own fresh store, so the groups run side by side (tests inside a group in order).
  describe(`store contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    describe('tokens', () => {
      const hashA = 'a1'.repeat(32);
      const hashB = 'b2'.repeat(32);

      test('createToken stores the hash only; findTokenByHash, listTokens, touchToken read it back', async () => {
        const clock = fakeClock(1_700_000_000_000);
        const { store, location } = await backend.fresh(clock);
        const ci = await store.createToken({ name: 'ci', role: 'deployer', hash: hashA, createdBy: 'alice' });
        assert.deepEqual(ci, {
          id: ci.id,
          name: 'ci',
          role: 'deployer',
          createdAt: 1_700_000_000_000,
          createdBy: 'alice',
          lastUsedAt: null,
          revokedAt: null,
        });
        assert.ok(!('hash' in ci), 'the hash never leaves the store');
        assert.deepEqual(await store.findTokenByHash(hashA), ci);
        assert.equal(await store.findTokenByHash(hashB), undefined);
        clock.advance(7);
        await store.touchToken(ci.id);
        assert.equal((await store.findTokenByHash(hashA))?.lastUsedAt, 1_700_000_000_007);
        const admin = await store.createToken({
          name: 'root',
          role: 'admin',
          hash: hashB,
          createdBy: 'alice',
        });
        assert.deepEqual(
          (await store.listTokens()).map((t) => [t.name, t.role]),
          [
            ['ci', 'deployer'],
            ['root', 'admin'],
          ],
        );
        assert.ok(admin.id > ci.id);
        const rows = await rawQuery(location, 'SELECT name, hash FROM tokens ORDER BY id');
        assert.deepEqual(
          rows.map((row) => row.hash),
          [hashA, hashB],
        );
      });

      test('names are unique, bad input is rejected, revoked tokens are not found', async () => {
        const clock = fakeClock(1000);
        const { store } = await backend.fresh(clock);
        await store.createToken({ name: 'ci', role: 'viewer', hash: hashA, createdBy: 'a' });
        await rejectsWith(
          store.createToken({ name: 'ci', role: 'viewer', hash: hashB, createdBy: 'a' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.createToken({ name: 'x', role: 'root' as never, hash: hashB, createdBy: 'a' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.createToken({ name: 'x', role: 'viewer', hash: 'slw_plaintext', createdBy: 'a' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.createToken({ name: ' ', role: 'viewer', hash: hashB, createdBy: 'a' }),
          'INVALID_INPUT',
        );
        clock.advance(5);
        const revoked = await store.revokeToken('ci');
        assert.equal(revoked.revokedAt, 1005);
        assert.equal(await store.findTokenByHash(hashA), undefined);
        await rejectsWith(store.revokeToken('ci'), 'NOT_FOUND');
        await rejectsWith(store.revokeToken('nobody'), 'NOT_FOUND');
        assert.deepEqual(
          (await store.listTokens()).map((t) => t.revokedAt),
          [1005],
        );
        await rejectsWith(
          store.createToken({ name: 'ci', role: 'viewer', hash: hashB, createdBy: 'a' }),
          'INVALID_INPUT',
        );
      });
    });

    describe('webhook deliveries', () => {
      test('recordWebhookDelivery is true the first time and false for the same id again', async () => {
        const clock = fakeClock(1_700_000_000_000);
        const { store, location } = await backend.fresh(clock);
        assert.equal(await store.recordWebhookDelivery({ deliveryId: 'd-1', event: 'push' }), true);
        assert.equal(await store.recordWebhookDelivery({ deliveryId: 'd-1', event: 'push' }), false);
        assert.equal(await store.recordWebhookDelivery({ deliveryId: 'd-1', event: 'ping' }), false);
        assert.equal(await store.recordWebhookDelivery({ deliveryId: 'd-2', event: 'ping' }), true);
        const rows = await rawQuery(
          location,
          'SELECT delivery_id, event, received_at FROM webhook_deliveries ORDER BY id',
        );
        assert.deepEqual(
          rows.map((row) => [row.delivery_id, row.event, Number(row.received_at)]),
          [
            ['d-1', 'push', 1_700_000_000_000],
            ['d-2', 'ping', 1_700_000_000_000],
          ],
        );
      });

      test('concurrent records of one id: exactly one wins; empty ids and events are rejected', async () => {
        const { store } = await backend.fresh();
        const results = await Promise.all(
          Array.from({ length: 5 }, () => store.recordWebhookDelivery({ deliveryId: 'same', event: 'push' })),
        );
        assert.equal(results.filter(Boolean).length, 1);
        await rejectsWith(store.recordWebhookDelivery({ deliveryId: ' ', event: 'push' }), 'INVALID_INPUT');
        await rejectsWith(store.recordWebhookDelivery({ deliveryId: 'x', event: '' }), 'INVALID_INPUT');
      });
    });

    describe('projects', () => {
      test('createProject, listProjects in name order, removeProject; names are unique and checked', async () => {
        const clock = fakeClock(1_700_000_000_000);
        const { store, location } = await backend.fresh(clock);
        const api = await store.createProject({
          name: 'api',
          repo: 'https://github.com/acme/api.git',
          branch: 'main',
          createdBy: 'admin',
        });
        assert.deepEqual(api, {
          id: api.id,
          name: 'api',
          repo: 'https://github.com/acme/api.git',
          branch: 'main',
          createdAt: 1_700_000_000_000,
          createdBy: 'admin',
        });
        await store.createProject({ name: 'Web-2', repo: '/srv/git/web', branch: 'trunk', createdBy: 'a' });
        assert.deepEqual(
          (await store.listProjects()).map((p) => [p.name, p.branch]),
          [
            ['Web-2', 'trunk'],
            ['api', 'main'],
          ],
        );
        await rejectsWith(
          store.createProject({ name: 'api', repo: '/x', branch: 'main', createdBy: 'a' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.createProject({ name: '../etc', repo: '/x', branch: 'main', createdBy: 'a' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.createProject({ name: 'ok', repo: ' ', branch: 'main', createdBy: 'a' }),
          'INVALID_INPUT',
        );
        assert.equal((await store.removeProject('api')).repo, 'https://github.com/acme/api.git');
        await rejectsWith(store.removeProject('api'), 'NOT_FOUND');
        const rows = await rawQuery(location, 'SELECT name FROM projects');
        assert.deepEqual(
          rows.map((row) => row.name),
          ['Web-2'],
        );
      });
    });
  });
}
