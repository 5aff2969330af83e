import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { configDigest, initIsCurrent, markInitialized } from './init-marker.js';

test('init is current only for the configuration files it was made for', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-init-'));
  try {
    writeFileSync(join(dir, 'main.tf'), 'resource "terraform_data" "a" {}\n');
    mkdirSync(join(dir, 'modules', 'net'), { recursive: true });
    writeFileSync(join(dir, 'modules', 'net', 'main.tf'), '');
    assert.equal(initIsCurrent(dir), false);
    mkdirSync(join(dir, '.terraform'));
    markInitialized(dir);
    assert.equal(initIsCurrent(dir), true);
    // Files that are not configuration do not matter.
    writeFileSync(join(dir, 'README.md'), 'notes');
    writeFileSync(join(dir, 'terraform.tfstate'), '{}');
    assert.equal(initIsCurrent(dir), true);
    // A module's file, a new file or the lock file changing means init again.
    const before = configDigest(dir);
    writeFileSync(join(dir, 'modules', 'net', 'main.tf'), 'module "x" { source = "./x" }');
    assert.notEqual(configDigest(dir), before);
    assert.equal(initIsCurrent(dir), false);
    markInitialized(dir);
    writeFileSync(join(dir, '.terraform.lock.hcl'), '# lock');
    assert.equal(initIsCurrent(dir), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
