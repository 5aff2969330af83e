import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfigText } from '../../src/config/load-config.js';
import { revisionIdOf } from '../../src/platform/revision-fingerprint.js';

test('dependsOn is not part of the revision: adding it keeps the revision id', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-depends-'));
  try {
    writeFileSync(join(dir, 'api.js'), 'console.log(1)\n');
    const services = (extra: string) =>
      loadConfigText(`services:\n  api: { run: node api.js${extra} }\n  db: { run: node db.js }\n`).config
        ?.services;
    const plain = services('')?.api;
    const ordered = services(', dependsOn: [db]')?.api;
    assert.ok(plain && ordered?.dependsOn);
    assert.equal(revisionIdOf(ordered, dir), revisionIdOf(plain, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
