// PostgreSQL failures as the server reports them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDependency } from '../../../src/platform/health/check-dependency.js';
import { SERVICES } from './helpers/services.js';

const dep = (url: string) => ({ name: 'db', kind: 'postgres' as const, url, timeoutMs: 5000 });

test('a database that does not exist is not ok, with the server message', async () => {
  const url = SERVICES.postgres.replace(/\/test$/, '/slipway_health_no_such_db');
  const result = await checkDependency(dep(url), {});
  assert.equal(result.ok, false);
  assert.equal(result.message, 'database "slipway_health_no_such_db" does not exist');
  assert.equal(result.target, url);
});

test('a role that does not exist is not ok, as an authentication failure', async () => {
  const url = SERVICES.postgres.replace('postgres@', 'slipway_health_no_such_role@');
  const result = await checkDependency(dep(url), {});
  assert.equal(result.ok, false);
  assert.match(result.message, /^authentication failed: role "slipway_health_no_such_role" does not exist/);
});

test('the password is masked in the target, also when given as a query parameter', async () => {
  const url = `${SERVICES.postgres.replace('postgres@', 'postgres:topsecret@')}?password=topsecret`;
  const result = await checkDependency(dep(url), {});
  // trust auth ignores the password, so the connection itself succeeds.
  assert.equal(result.ok, true, result.message);
  assert.equal(result.target, 'postgres://postgres:***@127.0.0.1:5432/test?password=***');
});
