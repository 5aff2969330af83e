import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { hashFiles } from './hash-files.js';

let cwd: string;

async function write(files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(cwd, path)), { recursive: true });
    await writeFile(join(cwd, path), content);
  }
}

const digest = (data: string | Buffer) => createHash('sha256').update(data).digest();

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'slipway-hashfiles-'));
  await write({
    'package-lock.json': 'lock',
    'packages/b/package-lock.json': 'b',
    'packages/a/package-lock.json': 'a',
  });
});

afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('hashFiles', () => {
  it('hashes the per-file digests in sorted path order, like GitHub', () => {
    // Sorted: package-lock.json, packages/a/..., packages/b/...
    const expected = createHash('sha256')
      .update(Buffer.concat([digest('lock'), digest('a'), digest('b')]))
      .digest('hex');
    assert.equal(hashFiles(['**/package-lock.json'], cwd), expected);
  });

  it('does not depend on the order of patterns or of matches', () => {
    const one = hashFiles(['packages/b/*.json', 'packages/a/*.json', 'package-lock.json'], cwd);
    const two = hashFiles(['package-lock.json', 'packages/a/*.json', 'packages/b/*.json'], cwd);
    assert.equal(one, two);
    assert.equal(one, hashFiles(['**/package-lock.json'], cwd));
  });

  it('changes when a matched file changes and honours exclusions', async () => {
    const before = hashFiles(['**/package-lock.json'], cwd);
    const withoutB = hashFiles(['**/package-lock.json', '!packages/b/**'], cwd);
    assert.notEqual(withoutB, before);
    await write({ 'packages/b/package-lock.json': 'b2' });
    assert.notEqual(hashFiles(['**/package-lock.json'], cwd), before);
    assert.equal(hashFiles(['**/package-lock.json', '!packages/b/**'], cwd), withoutB);
  });

  it('returns an empty string when nothing matches', () => {
    assert.equal(hashFiles(['**/*.lock'], cwd), '');
    assert.equal(hashFiles([], cwd), '');
    assert.equal(hashFiles(['../**/package-lock.json'], join(cwd, 'packages', 'a')), '');
  });
});
