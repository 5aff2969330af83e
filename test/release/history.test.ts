// Reading a long history: every commit git lists, in its order, whole, and path filtering.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openRepo } from '../../src/release/git-history.js';
import { readCommits } from '../../src/release/git-log.js';
import { createRepo } from './helpers.js';

test('a long history reads back exactly as git log lists it', async (t) => {
  const repo = createRepo(t);
  const stream: string[] = [];
  for (let i = 1; i <= 9000; i++) {
    const msg = i % 3 === 0 ? `feat: change ${i}\n\nbody ${i}\n` : `fix(x): change ${i}\n`;
    stream.push(
      `commit refs/heads/main\nmark :${i}\ncommitter A <a@x> ${1_600_000_000 + i} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}`,
      i > 1 ? `from :${i - 1}\n` : '',
      `M 644 inline f${i % 10}.txt\ndata ${String(i).length + 1}\n${i}\n\n`,
    );
    if (i === 500) stream.push('reset refs/tags/v1.0.0\nfrom :500\n\n');
  }
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: repo.dir,
    input: stream.join(''),
    env: { PATH: process.env.PATH },
  });
  repo.git('checkout', '-q', '-f', 'main');
  const git = await openRepo(repo.dir, { PATH: process.env.PATH });
  const since = repo.git('rev-parse', 'v1.0.0');
  const expected = repo.git('log', '--format=%H', `${since}..HEAD`).split('\n');
  assert.equal(expected.length, 8500);
  const four = await readCommits(git, since, undefined, (c) => c);
  assert.deepEqual(
    four.map((c) => c.sha),
    expected,
  );
  assert.deepEqual(four[1]?.parents, [expected[2]]);
  assert.equal(four[0]?.message, 'feat: change 9000\n\nbody 9000\n');
  assert.equal(four[9000 - 1503]?.message, 'feat: change 1503\n\nbody 1503\n');
  const path = await readCommits(git, since, 'f3.txt', (c) => c.sha);
  assert.deepEqual(path, repo.git('log', '--format=%H', `${since}..HEAD`, '--', 'f3.txt').split('\n'));
  assert.deepEqual(await readCommits(git, repo.git('rev-parse', 'HEAD'), undefined, (c) => c), []);
});

test('an aborted read stops git and rejects, leaving no temporary file', async (t) => {
  const repo = createRepo(t);
  repo.commit('feat: one');
  const git = await openRepo(repo.dir, { PATH: process.env.PATH });
  // git's output goes through a file under os.tmpdir(), which follows TMPDIR.
  const scratch = mkdtempSync(join(tmpdir(), 'slipway-history-test-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  t.after(() => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(scratch, { recursive: true, force: true });
  });
  const controller = new AbortController();
  const reading = readCommits(git, null, undefined, (c) => c, controller.signal);
  controller.abort();
  await assert.rejects(reading);
  assert.deepEqual(readdirSync(scratch), []);
  assert.deepEqual(await readCommits(git, null, undefined, (c) => c.message), ['feat: one']);
  assert.deepEqual(readdirSync(scratch), []);
});
