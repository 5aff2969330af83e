import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { secretReader } from './secret-reader.js';

test('a secret comes from the environment, else .slipway/secrets.env; an empty value counts as unset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secret-reader-'));
  try {
    mkdirSync(join(dir, '.slipway'));
    writeFileSync(join(dir, '.slipway', 'secrets.env'), 'LD_TOKEN=from-file\nSPLIT_KEY=file-key\n');
    const secret = secretReader({ LD_TOKEN: 'from-env', SPLIT_KEY: '' }, dir);
    assert.equal(secret('LD_TOKEN'), 'from-env');
    assert.equal(secret('SPLIT_KEY'), 'file-key');
    assert.equal(secret('NOWHERE'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
