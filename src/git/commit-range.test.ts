import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { commitsBetween } from './commit-range.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-commit-range-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
git('init', '-q', '-b', 'main');
const commit = (n: number, seconds: number) => {
  writeFileSync(join(dir, 'file'), `${n}\n`);
  git('add', 'file');
  const date = `${seconds} +0000`;
  execFileSync('git', ['-c', 'user.name=a', '-c', 'user.email=a@b', 'commit', '-q', '-m', `c${n}`], {
    cwd: dir,
    env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  return git('rev-parse', 'HEAD');
};
const [a, b, c] = [commit(1, 1_700_000_000), commit(2, 1_700_000_600), commit(3, 1_700_001_200)];

test('the commits since the previous deploy, newest first, with their commit times', async () => {
  assert.deepEqual(await commitsBetween(dir, a, c), [
    { sha: c, time: 1_700_001_200_000 },
    { sha: b, time: 1_700_000_600_000 },
  ]);
});

test('a first deploy, or a previous commit the repository does not know, brings the commit itself', async () => {
  assert.deepEqual(await commitsBetween(dir, null, b), [{ sha: b, time: 1_700_000_600_000 }]);
  assert.deepEqual(await commitsBetween(dir, 'f'.repeat(40), b), [{ sha: b, time: 1_700_000_600_000 }]);
});

test('a redeploy of the same commit brings nothing; outside a repository nothing is known', async () => {
  assert.deepEqual(await commitsBetween(dir, c, c), []);
  assert.deepEqual(await commitsBetween(tmpdir(), null, c), []);
});
