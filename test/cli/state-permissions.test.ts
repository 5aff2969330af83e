// Everything the real CLI puts under .slipway/ is the owner's alone: after `slipway run` (outputs,
// a cache, artifacts) and `slipway deploy` (a revision, the agent and its logs), every folder is 0700
// and every file 0600 (0700 for a script that must stay executable), even under umask 000.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/slipway.js');
const project = mkdtempSync(join(tmpdir(), 'slipway-perm-'));

/** Runs the CLI in the project under umask 000, so only the modes Slipway sets explicitly can pass. */
function slipway(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('sh', ['-c', 'umask 000 && exec "$@"', 'sh', process.execPath, bin, ...args], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

after(() => {
  slipway('agent', 'stop');
  rmSync(project, { recursive: true, force: true });
});

/** Every path under `dir` with its type and permission bits. */
function walk(dir: string, out: { path: string; kind: string; mode: number }[] = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const info = lstatSync(path);
    const kind = info.isSymbolicLink()
      ? 'symlink'
      : info.isSocket()
        ? 'socket'
        : info.isDirectory()
          ? 'dir'
          : info.isFile()
            ? 'file'
            : 'other';
    out.push({ path, kind, mode: info.mode & 0o777 });
    if (kind === 'dir') walk(path, out);
  }
  return out;
}

test('after run and deploy, every folder under .slipway is 0700 and every file 0600', () => {
  mkdirSync(join(project, 'app'));
  writeFileSync(
    join(project, 'app', 'server.mjs'),
    [
      "import { createServer } from 'node:http';",
      "createServer((_req, res) => res.end('ok\\n')).listen(Number(process.env.PORT), '127.0.0.1');",
    ].join('\n'),
  );
  // A script of the service that must stay runnable in its revision.
  writeFileSync(join(project, 'app', 'start.sh'), '#!/bin/sh\nexec node server.mjs\n');
  chmodSync(join(project, 'app', 'start.sh'), 0o755);
  writeFileSync(
    join(project, 'slipway.yaml'),
    [
      'version: 1',
      'jobs:',
      '  build:',
      '    cache: { key: deps-v1, paths: [vendor] }',
      '    artifacts: ["dist/**"]',
      '    run: |',
      '      mkdir -p vendor dist',
      '      echo lib > vendor/lib.txt',
      '      echo app > dist/app.js',
      '      echo "version=1" >> "$SLIPWAY_OUTPUT"',
      'services:',
      '  web:',
      '    run: ./start.sh',
      '    source: app',
      '    health:',
      '      readiness: { http: /, period: 200ms }',
      'environments:',
      '  dev: {}',
      '',
    ].join('\n'),
  );

  const run = slipway('run');
  assert.equal(run.status, 0, run.stderr + run.stdout);
  const deploy = slipway('deploy', 'web', '--env', 'dev');
  assert.equal(deploy.status, 0, deploy.stderr + deploy.stdout);

  const entries = walk(join(project, '.slipway'));
  const shown = (e: { path: string; mode: number }) => `${relative(project, e.path)} ${e.mode.toString(8)}`;
  // What each part of the run and the deploy made is there to be checked.
  for (const expected of [
    /^\.slipway\/state\.db$/,
    /^\.slipway\/config-cache\.json$/,
    /^\.slipway\/runs\/1\/processes\.log$/,
    /^\.slipway\/cache\/entries\/.+\/files\/vendor\/lib\.txt$/,
    /^\.slipway\/artifacts\/objects\/[0-9a-f]{2}\/[0-9a-f]{64}$/,
    /^\.slipway\/revisions\/web\/r-[^/]+\/manifest\.json$/,
    /^\.slipway\/agent\/agent\.pid$/,
    /^\.slipway\/agent\/state\.json$/,
    /^\.slipway\/agent\/logs\/.+/,
  ]) {
    assert.ok(
      entries.some((e) => expected.test(relative(project, e.path))),
      `nothing matches ${expected}:\n${entries.map(shown).join('\n')}`,
    );
  }
  assert.equal(lstatSync(join(project, '.slipway')).mode & 0o777, 0o700);

  const wrong = entries.filter((e) => {
    if (e.kind === 'dir') return e.mode !== 0o700;
    // The one executable: a revision keeps its scripts runnable, for the owner only.
    if (e.kind === 'file' && /\/source\/start\.sh$/.test(e.path)) return e.mode !== 0o700;
    if (e.kind === 'file') return e.mode !== 0o600;
    // Excepted: the agent's control socket (its mode is not a permission on data, and the 0700 folder
    // already keeps others out) and symbolic links (their own mode is never checked).
    return e.kind !== 'socket' && e.kind !== 'symlink';
  });
  assert.deepEqual(wrong.map(shown), []);
});
