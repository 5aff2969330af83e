// The SQLite store's files are the owner's alone, whatever the umask and whatever an older version left.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSqliteStore } from './sqlite-store.js';

const root = mkdtempSync(join(tmpdir(), 'slipway-sqlite-modes-'));
after(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

test('a new database, its folder and its -wal and -shm files are 0700 and 0600 even under umask 000', async () => {
  const file = join(root, 'fresh', '.slipway', 'state.db');
  const previous = process.umask(0);
  try {
    const store = await openSqliteStore({ file, clock: { now: () => 1 } });
    try {
      // A write makes SQLite create the write-ahead log and its shared-memory index.
      await store.appendEvent({ type: 'change.merged', actor: 'a' });
      assert.equal(modeOf(join(root, 'fresh', '.slipway')), 0o700);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) assert.equal(modeOf(path), 0o600, path);
    } finally {
      await store.close();
    }
  } finally {
    process.umask(previous);
  }
});

test('the folder and files an older version left readable by everyone are tightened on open', async () => {
  const dir = join(root, 'older', '.slipway');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'state.db');
  const first = await openSqliteStore({ file, clock: { now: () => 1 } });
  await first.close();
  writeFileSync(`${file}-journal`, '');
  for (const path of [file, `${file}-journal`]) chmodSync(path, 0o644);
  chmodSync(dir, 0o755);

  const store = await openSqliteStore({ file, clock: { now: () => 2 } });
  try {
    assert.equal(modeOf(dir), 0o700);
    assert.equal(modeOf(file), 0o600);
    assert.equal(modeOf(`${file}-journal`), 0o600);
  } finally {
    await store.close();
  }
});
