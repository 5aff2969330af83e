// Unit tests of the server's cached view of its own slipway.yaml.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigFileError } from '../config/errors.js';
import type { ResolvedConfig } from '../config/resolved.js';
import { PipelineError } from '../pipeline/errors.js';
import { ConfigByMtime } from './config-by-mtime.js';
import { toHttpError } from './errors.js';
import { ServerError } from './server-error.js';

test('the config is loaded once per change of the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-config-by-mtime-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'slipway.yaml');
  writeFileSync(file, 'jobs: {}\n');
  let loads = 0;
  const config = new ConfigByMtime(file, async () => ({ loads: ++loads }) as unknown as ResolvedConfig);
  assert.equal(await config.get(), await config.get());
  assert.equal(loads, 1);
  writeFileSync(file, 'jobs: { a: { run: "true" } }\n');
  await config.get();
  assert.equal(loads, 2);
});

test("a missing or unreadable own config is the server's problem: unavailable, 503, same code and message", async () => {
  const missing = new ConfigFileError('CONFIG_NOT_FOUND', 'cannot read /srv/app/slipway.yaml: no such file');
  const config = new ConfigByMtime('/nonexistent/slipway.yaml', async () => {
    throw missing;
  });
  const error = await config.get().then(
    () => assert.fail('get() resolved'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ServerError);
  assert.deepEqual(
    [error.code, error.kind, error.message, error.cause],
    ['CONFIG_NOT_FOUND', 'unavailable', missing.message, missing],
  );
  assert.deepEqual(toHttpError(error), {
    status: 503,
    body: { error: { code: 'CONFIG_NOT_FOUND', message: missing.message } },
  });
  assert.equal(toHttpError(missing).status, 400, 'unwrapped, the same error is the mistake of the caller');
});

test('other load errors pass through unchanged', async () => {
  const invalid = new PipelineError('CONFIG_INVALID', 'slipway.yaml is invalid: jobs: required');
  const config = new ConfigByMtime('/nonexistent/slipway.yaml', async () => {
    throw invalid;
  });
  await assert.rejects(config.get(), (e: unknown) => e === invalid);
});
