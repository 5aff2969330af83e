// Unit tests of backend selection in openStore.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { isStoreError } from './errors.js';
import { openStore, sqliteStatePath } from './open-store.js';

test('without a database URL it opens SQLite in WAL mode at <projectDir>/.slipway/state.db with the given clock', async () => {
  const projectDir = await mkdtemp(join(tmpdir(), 'slipway-open-'));
  try {
    for (const databaseUrl of [undefined, '', '  ']) {
      const store = await openStore({ projectDir, databaseUrl, clock: { now: () => 42 } });
      try {
        assert.equal(store.backend, 'sqlite');
        assert.equal((await store.appendEvent({ type: 'change.merged', actor: 'a' })).time, 42);
      } finally {
        await store.close();
      }
    }
    assert.equal(sqliteStatePath(projectDir), join(projectDir, '.slipway', 'state.db'));
    const raw = new BetterSqlite3(sqliteStatePath(projectDir));
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
  } finally {
    await rm(projectDir, { recursive: true, force: true });
  }
});

test('a URL that is not postgres:// or postgresql:// is BAD_DATABASE_URL', async () => {
  for (const databaseUrl of ['mysql://root@localhost/db', 'sqlite:///tmp/x.db', 'postgres:/missing-slash']) {
    await assert.rejects(openStore({ projectDir: '/nonexistent', databaseUrl }), (error: unknown) => {
      assert.ok(isStoreError(error, 'BAD_DATABASE_URL'), String(error));
      assert.match(error.message, /postgres:\/\/ or postgresql:\/\//);
      return true;
    });
  }
});

test('a postgresql:// URL goes to PostgreSQL and an unreachable server is OPEN_FAILED without the password', async () => {
  const databaseUrl = 'postgresql://slipway:hunter2@127.0.0.1:1/nowhere';
  await assert.rejects(openStore({ projectDir: '/nonexistent', databaseUrl }), (error: unknown) => {
    assert.ok(isStoreError(error, 'OPEN_FAILED'), String(error));
    assert.doesNotMatch(error.message, /hunter2/);
    assert.match(error.message, /slipway:\*\*\*@127\.0\.0\.1:1/);
    return true;
  });
});
