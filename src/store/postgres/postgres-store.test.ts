// Unit tests of the PostgreSQL store's checks that need no server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStoreError } from '../errors.js';
import { openPostgresStore, redactUrl } from './postgres-store.js';

test('a schema that is not a plain lowercase identifier is BAD_SCHEMA_NAME', async () => {
  for (const schema of ['Public', 'a;drop table events', 'x y', '1abc', '']) {
    await assert.rejects(
      openPostgresStore({ url: 'postgres://127.0.0.1:1/x', schema, clock: { now: () => 0 } }),
      (error: unknown) => isStoreError(error, 'BAD_SCHEMA_NAME'),
    );
  }
});

test('redactUrl hides only the password', () => {
  assert.equal(redactUrl('postgres://me:s3cr%40t@db:5432/app'), 'postgres://me:***@db:5432/app');
  assert.equal(redactUrl('postgres://me@db/app'), 'postgres://me@db/app');
  assert.equal(redactUrl('postgres://db/app'), 'postgres://db/app');
});
