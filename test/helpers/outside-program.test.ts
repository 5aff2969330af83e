// The outside-program contract as node's test runner reports it: a test needing a program that does
// not exist is skipped (and its install command recorded) without CI, and fails with CI=true.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isInstalled, MISSING_PROGRAMS_ENV } from './outside-program.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const helper = fileURLToPath(new URL('./outside-program.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'slipway-outside-program-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const NOWHERE = { command: 'slipway-no-such-program-7f3a', aptPackage: 'slipway-no-such-package' };
const spec = join(dir, 'needs-nowhere.test.ts');
writeFileSync(
  spec,
  [
    `import { test } from 'node:test';`,
    `import { skipWithout } from ${JSON.stringify(helper)};`,
    `test('uses the program', { skip: skipWithout(${JSON.stringify(NOWHERE)}) }, () => {});`,
    `test('needs nothing', () => {});`,
    '',
  ].join('\n'),
);

/** Runs the spec in its own test runner with `env` added; its exit status and TAP output. */
function runSpec(env: Record<string, string>): { status: number | null; out: string } {
  // Without NODE_TEST_CONTEXT the child is a runner of its own, not a subtest of this one.
  const { CI: _ci, NODE_TEST_CONTEXT: _context, ...base } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', spec], {
    cwd: root,
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, out: result.stdout + result.stderr };
}

describe('outside programs', () => {
  test('a missing program skips the test and records the install command once CI is unset', () => {
    const record = join(dir, 'missing-local');
    const { status, out } = runSpec({ [MISSING_PROGRAMS_ENV]: record });
    assert.equal(status, 0, out);
    assert.match(
      out,
      /ok 1 - uses the program # SKIP slipway-no-such-program-7f3a is missing: install it with `apt-get install slipway-no-such-package`/,
    );
    assert.match(out, /# pass 1\n/);
    assert.match(out, /# skipped 1\n/);
    assert.equal(readFileSync(record, 'utf8'), 'apt-get install slipway-no-such-package\n');
  });

  test('with CI=true a missing program fails the run and records nothing', () => {
    const record = join(dir, 'missing-ci');
    const { status, out } = runSpec({ CI: 'true', [MISSING_PROGRAMS_ENV]: record });
    assert.notEqual(status, 0, out);
    assert.match(
      out,
      /slipway-no-such-program-7f3a is missing and CI is set: install it with `apt-get install slipway-no-such-package`/,
    );
    assert.doesNotMatch(out, /# skipped [1-9]/);
    assert.equal(existsSync(record), false);
  });

  test('finds programs on PATH and by absolute path', () => {
    assert.equal(
      isInstalled({ command: 'node', aptPackage: 'nodejs' }, { PATH: join(process.execPath, '..') }),
      true,
    );
    assert.equal(isInstalled({ command: process.execPath, aptPackage: 'nodejs' }, {}), true);
    assert.equal(isInstalled(NOWHERE), false);
    assert.equal(isInstalled({ command: '/nonexistent/slipway-no-such-program', aptPackage: 'x' }), false);
  });
});
