import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { blobPath, exportAssets, storeAssets } from './asset-store.js';

const root = mkdtempSync(join(tmpdir(), 'slipway-assets-'));
after(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

test("stored blobs are the owner's alone; a download gets the usual modes back, execute bit kept", () => {
  const stateDir = join(root, '.slipway');
  const tool = join(root, 'tool.sh');
  const notes = join(root, 'notes.txt');
  writeFileSync(tool, '#!/bin/sh\necho hi\n');
  writeFileSync(notes, 'notes\n');
  chmodSync(tool, 0o755);
  chmodSync(notes, 0o644);
  const entries = storeAssets(stateDir, [
    { name: 'tool.sh', path: tool },
    { name: 'notes.txt', path: notes },
  ]);
  const [toolEntry, notesEntry] = entries;
  assert.equal(modeOf(blobPath(stateDir, toolEntry!.sha256)), 0o700);
  assert.equal(modeOf(blobPath(stateDir, notesEntry!.sha256)), 0o600);
  assert.equal(modeOf(join(stateDir, 'assets', 'sha256')), 0o700);

  const out = join(root, 'out');
  const previous = process.umask(0o022);
  try {
    exportAssets(stateDir, new Map(entries.map((e) => [e.name, e.sha256])), out);
  } finally {
    process.umask(previous);
  }
  assert.equal(modeOf(join(out, 'tool.sh')), 0o755);
  assert.equal(modeOf(join(out, 'notes.txt')), 0o644);
});
