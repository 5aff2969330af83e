// Unit tests of the CLI boundary: one exit code per error kind, one line for a user's mistake, a stack for a bug.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { CommanderError } from 'commander';
import { ConfigFileError } from '../config/errors.js';
import { PipelineError } from '../pipeline/errors.js';
import { PlanError } from '../pipeline/plan.js';
import { PlatformError } from '../platform/errors.js';
import { ReleaseError } from '../release/errors.js';
import { RolloutError } from '../rollout/errors.js';
import { StoreError } from '../store/errors.js';
import type { CliIo } from './context.js';
import { reportError } from './error-boundary.js';
import { UsageError } from './errors.js';
import { RemoteError } from './remote/remote-error.js';

function report(error: unknown): { code: number; err: string } {
  let err = '';
  const io: CliIo = {
    cwd: '/',
    env: {},
    stdout: new Writable({ write: (_chunk, _enc, done) => done() }),
    stderr: new Writable({
      write(chunk, _enc, done) {
        err += String(chunk);
        done();
      },
    }),
  };
  const code = reportError(error, io);
  return { code, err };
}

test('mistakes the user must fix exit 2 with one line and no stack', () => {
  const cases: unknown[] = [
    new UsageError('--concurrency must be a positive integer'),
    new ConfigFileError('CONFIG_NOT_FOUND', 'no slipway.yaml or slipway.yml in /w'),
    new PlanError('UNKNOWN_JOB', "no job 'nope' in the pipeline"),
    new PipelineError('RUN_NOT_FOUND', 'no run 4'),
    new PipelineError('APPROVAL_DECIDED', 'the gate was already approved'),
    new RolloutError('ROLLOUT_ACTIVE', 'a rollout of web is in progress'),
    new PlatformError('SERVICE_NOT_FOUND', 'web is not deployed in production'),
    new ReleaseError('DIRTY_WORKTREE', 'the worktree has uncommitted changes'),
    new StoreError('NOT_FOUND', 'no such run'),
    new RemoteError('HTTP', 'no run 9 (server answered HTTP 404 RUN_NOT_FOUND)', { status: 404 }),
    new RemoteError('LOCAL_ONLY', '--watch cannot be used with --server'),
  ];
  for (const error of cases) {
    const { code, err } = report(error);
    assert.equal(code, 2, String(error));
    assert.equal(err, `slipway: ${(error as Error).message}\n`);
  }
});

test('failures and unreachable dependencies exit 1 with their message', () => {
  const cases: unknown[] = [
    new StoreError('DB_ERROR', 'listRuns failed: disk I/O error', { cause: new Error('disk I/O error') }),
    new StoreError('MIGRATION_FAILED', 'migration 7 failed: locked'),
    new ReleaseError('GIT_FAILED', 'git tag failed: exit 128'),
    new PlatformError('AGENT_UNAVAILABLE', 'no agent is running (start one with `slipway agent start`)'),
    new RemoteError(
      'UNREACHABLE',
      'cannot reach the Slipway server at http://127.0.0.1:1: connection refused',
    ),
    new RemoteError('HTTP', 'token revoked (server answered HTTP 401 UNAUTHORIZED)', { status: 401 }),
    new RemoteError('HTTP', 'the server at http://x answered HTTP 500', { status: 500 }),
  ];
  for (const error of cases) {
    const { code, err } = report(error);
    assert.equal(code, 1, String(error));
    assert.equal(err, `slipway: ${(error as Error).message}\n`);
  }
});

test('anything that is not a Slipway error is a bug: exit 70, "this is a bug" and the stack', () => {
  const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
  const { code, err } = report(bug);
  assert.equal(code, 70);
  assert.match(err, /^slipway: internal error \(this is a bug\): TypeError: Cannot read properties/);
  assert.match(err, /\n\s+at /, 'the stack is printed');
  assert.equal(report('thrown text').code, 70);
});

test("commander's own errors: help and version exit 0, the rest 2, and nothing more is printed", () => {
  assert.equal(report(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')).code, 0);
  assert.equal(report(new CommanderError(0, 'commander.version', '1.0.0')).code, 0);
  const unknown = report(new CommanderError(1, 'commander.unknownCommand', "unknown command 'valdate'"));
  assert.deepEqual(unknown, { code: 2, err: '' });
});
