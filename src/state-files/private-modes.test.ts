import assert from 'node:assert/strict';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  privateModeOf,
  tightenSync,
  tightenTree,
} from './private-modes.js';

const root = mkdtempSync(join(tmpdir(), 'slipway-private-modes-'));
after(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

test('a copy keeps the execute bit for its owner only', () => {
  assert.equal(privateModeOf(0o100644), 0o600);
  assert.equal(privateModeOf(0o100755), 0o700);
  assert.equal(privateModeOf(0o100701), 0o700);
  assert.equal(privateModeOf(0o100444), 0o600);
});

test('tightenSync sets the mode of what exists and ignores what does not', () => {
  const file = join(root, 'loose.txt');
  writeFileSync(file, 'x');
  chmodSync(file, 0o666);
  tightenSync(file, PRIVATE_FILE_MODE);
  assert.equal(modeOf(file), 0o600);
  tightenSync(join(root, 'missing'), PRIVATE_FILE_MODE);
  const dir = join(root, 'loose-dir');
  mkdirSync(dir, { mode: 0o755 });
  tightenSync(dir, PRIVATE_DIR_MODE);
  assert.equal(modeOf(dir), 0o700);
});

test('tightenTree makes folders 0700, files 0600 or 0700 when executable, and leaves symlinks and their targets', () => {
  const tree = join(root, 'tree');
  mkdirSync(join(tree, 'a', 'b'), { recursive: true, mode: 0o755 });
  writeFileSync(join(tree, 'a', 'plain'), 'p', { mode: 0o644 });
  writeFileSync(join(tree, 'a', 'b', 'tool'), 't', { mode: 0o755 });
  const outside = join(root, 'outside.txt');
  writeFileSync(outside, 'o', { mode: 0o644 });
  chmodSync(outside, 0o644);
  symlinkSync(outside, join(tree, 'a', 'link'));
  return tightenTree(tree).then(() => {
    for (const dir of [tree, join(tree, 'a'), join(tree, 'a', 'b')]) assert.equal(modeOf(dir), 0o700, dir);
    assert.equal(modeOf(join(tree, 'a', 'plain')), 0o600);
    assert.equal(modeOf(join(tree, 'a', 'b', 'tool')), 0o700);
    assert.ok(lstatSync(join(tree, 'a', 'link')).isSymbolicLink());
    assert.equal(modeOf(outside), 0o644);
  });
});
