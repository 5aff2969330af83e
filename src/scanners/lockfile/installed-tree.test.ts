// A node_modules tree built inline: scoped and nested packages are found, folders that are no package
// (.bin, broken manifests) and symlinked workspace packages are not. A real `npm ci` tree is read in
// test/scanners/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { readInstalledTree } from './installed-tree.js';

test('readInstalledTree walks scoped and nested node_modules', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-tree-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const pkg = (dir: string, name: string, version: string) =>
    write(`${dir}/package.json`, JSON.stringify({ name, version }));
  pkg('node_modules/debug', 'debug', '2.6.9');
  pkg('node_modules/debug/node_modules/ms', 'ms', '2.0.0');
  pkg('node_modules/ms', 'ms', '2.1.3');
  pkg('node_modules/@scope/tool', '@scope/tool', '1.0.0-rc.1');
  pkg('node_modules/@scope/tool/node_modules/@other/lib', '@other/lib', '0.0.1');
  pkg('node_modules/alias-name', 'real-name', '3.0.0');
  write('node_modules/.bin/debug', '#!/bin/sh\n');
  write('node_modules/.package-lock.json', '{}');
  write('node_modules/broken/package.json', '{ not json');
  write('node_modules/no-version/package.json', '{"name": "no-version"}');
  pkg('packages/local', 'local', '0.1.0');
  symlinkSync(join(root, 'packages/local'), join(root, 'node_modules/local'));

  const packages = await readInstalledTree(root, 'usr/src/app/');
  assert.deepEqual(
    packages.map((p) => `${p.file} ${p.name}@${p.version}`),
    [
      'usr/src/app/node_modules/@scope/tool/package.json @scope/tool@1.0.0-rc.1',
      'usr/src/app/node_modules/@scope/tool/node_modules/@other/lib/package.json @other/lib@0.0.1',
      'usr/src/app/node_modules/alias-name/package.json real-name@3.0.0',
      'usr/src/app/node_modules/debug/package.json debug@2.6.9',
      'usr/src/app/node_modules/debug/node_modules/ms/package.json ms@2.0.0',
      'usr/src/app/node_modules/ms/package.json ms@2.1.3',
    ],
  );
  assert.equal(packages[4]?.path, 'node_modules/debug/node_modules/ms');
  assert.deepEqual(await readInstalledTree(join(root, 'nowhere')), []);
});
