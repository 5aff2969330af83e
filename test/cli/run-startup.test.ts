// What `slipway run` reads or loads on demand still reaches the run: the git branch and commit
// (read while the store opens), artifacts (loaded on first use) and hashFiles() in any case.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/slipway.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'slipway-run-startup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function slipway(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1', CI: '1', SLIPWAY_DATABASE_URL: '' },
        timeout: 20_000,
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

test('a run records the branch and commit, passes artifacts on and evaluates HashFiles()', async () => {
  writeFileSync(join(dir, 'input.txt'), 'hello\n');
  writeFileSync(
    join(dir, 'slipway.yaml'),
    [
      'jobs:',
      '  make:',
      `    run: 'mkdir -p out && echo built > out/a.txt'`,
      `    artifacts: ['out/**']`,
      '  use:',
      '    needs: [make]',
      `    run: 'cat out/a.txt && echo "hash=\${{ HashFiles(''input.txt'') }}"'`,
      '',
    ].join('\n'),
  );
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  git('init', '-q', '-b', 'trunk');
  git('add', '-A');
  git('-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-q', '-m', 'init');
  const sha = git('rev-parse', 'HEAD');

  const run = await slipway(['run']);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.match(run.stdout, /use \| built/);
  assert.match(run.stdout, /use \| hash=[0-9a-f]{64}/);

  const events = await slipway(['events', '--json', '--type', 'pipelinerun.queued']);
  assert.equal(events.code, 0, events.stderr);
  const queued = JSON.parse(events.stdout.trim().split('\n')[0]!) as {
    commitSha: string;
    data: { branch: string };
  };
  assert.equal(queued.commitSha, sha);
  assert.equal(queued.data.branch, 'trunk');
});
