import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ResolvedService } from '../../config/resolved.js';
import { createRevision, listRevisions, pruneRevisions, revisionDir } from './revisions.js';

const service: ResolvedService = {
  id: 'web',
  run: 'node server.js',
  source: 'app',
  instances: 2,
  env: {},
  shutdown: { drainMs: 5000, timeoutMs: 15000 },
  dependencies: [],
  path: ['services', 'web'],
};

describe('revisions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-revisions-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const stateDir = join(dir, '.slipway');
  mkdirSync(join(dir, 'app', 'node_modules', 'dep'), { recursive: true });
  mkdirSync(join(dir, 'app', '.git'), { recursive: true });
  writeFileSync(join(dir, 'app', 'server.js'), 'console.log(1)\n');
  writeFileSync(join(dir, 'app', 'node_modules', 'dep', 'index.js'), 'x\n');
  writeFileSync(join(dir, 'app', '.git', 'HEAD'), 'ref\n');

  test('same source and config give the same id; the snapshot holds the source and links node_modules', () => {
    const a = createRevision(stateDir, service, dir);
    const b = createRevision(stateDir, service, dir);
    assert.equal(a.id, b.id);
    assert.match(a.id, /^r-[0-9a-f]{12}$/);
    const source = join(revisionDir(stateDir, 'web', a.id), 'source');
    assert.ok(existsSync(join(source, 'server.js')));
    assert.equal(existsSync(join(source, '.git')), false);
    assert.equal(readlinkSync(join(source, 'node_modules')), join(dir, 'app', 'node_modules'));
    // Installed dependencies are not part of the identity.
    writeFileSync(join(dir, 'app', 'node_modules', 'dep', 'index.js'), 'y\n');
    assert.equal(createRevision(stateDir, service, dir).id, a.id);
  });

  test('a source change, a config change or an exec bit change gives a new id', () => {
    const base = createRevision(stateDir, service, dir).id;
    assert.notEqual(createRevision(stateDir, { ...service, env: { A: '1' } }, dir).id, base);
    assert.notEqual(createRevision(stateDir, { ...service, run: 'node other.js' }, dir).id, base);
    writeFileSync(join(dir, 'app', 'server.js'), 'console.log(2)\n');
    const changed = createRevision(stateDir, service, dir).id;
    assert.notEqual(changed, base);
    chmodSync(join(dir, 'app', 'server.js'), 0o755);
    assert.notEqual(createRevision(stateDir, service, dir).id, changed);
  });

  test("a secret's version is part of the id and the manifest; its value never is", () => {
    const withSecret = { ...service, secrets: ['DB_PASSWORD'] };
    const a = createRevision(stateDir, withSecret, dir, undefined, { DB_PASSWORD: 'aaaaaaaaaaaa' });
    const b = createRevision(stateDir, withSecret, dir, undefined, { DB_PASSWORD: 'bbbbbbbbbbbb' });
    assert.notEqual(a.id, b.id);
    assert.deepEqual(b.config.secretVersions, { DB_PASSWORD: 'bbbbbbbbbbbb' });
    assert.equal(
      createRevision(stateDir, withSecret, dir, undefined, { DB_PASSWORD: 'aaaaaaaaaaaa' }).id,
      a.id,
    );
  });

  test('a missing source is a clear error', () => {
    assert.throws(
      () => createRevision(stateDir, { ...service, source: 'nope' }, dir),
      /source .*nope is not a directory/,
    );
  });

  test('pruning keeps the newest 10 and every revision in use', () => {
    let clock = Date.now() + 86_400_000;
    const ids: string[] = [];
    for (let i = 0; i < 14; i++) {
      clock += 1000;
      ids.push(
        createRevision(stateDir, { ...service, env: { N: String(i) } }, dir, () => new Date(clock)).id,
      );
    }
    const oldest = ids[0] as string;
    const removed = pruneRevisions(stateDir, 'web', new Set([oldest]));
    const left = listRevisions(stateDir, 'web').map((m) => m.id);
    assert.ok(left.includes(oldest), 'in use');
    for (const id of ids.slice(-10)) assert.ok(left.includes(id));
    assert.equal(left.length, 11);
    assert.ok(removed.length >= 3);
  });
});
