// Unit tests of the one mapping from errors to HTTP statuses and JSON bodies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigFileError } from '../config/errors.js';
import { PipelineError } from '../pipeline/errors.js';
import { PlanError } from '../pipeline/plan.js';
import { PlatformError } from '../platform/errors.js';
import { ReleaseError } from '../release/errors.js';
import { RolloutError } from '../rollout/errors.js';
import { StoreError } from '../store/errors.js';
import { ApiError, toHttpError } from './errors.js';
import { ServerError } from './server-error.js';

test('domain errors map to 4xx with their code', () => {
  const cases: [unknown, number, string][] = [
    [new PipelineError('RUN_NOT_FOUND', 'no run 4'), 404, 'RUN_NOT_FOUND'],
    [new PipelineError('APPROVAL_DECIDED', 'decided'), 409, 'APPROVAL_DECIDED'],
    [new RolloutError('ROLLOUT_ACTIVE', 'busy'), 409, 'ROLLOUT_ACTIVE'],
    [new RolloutError('SERVICE_UNKNOWN', 'no web'), 404, 'SERVICE_UNKNOWN'],
    [new StoreError('NOT_FOUND', 'gone'), 404, 'NOT_FOUND'],
    [new ApiError(400, 'INVALID_REQUEST', 'body.job: bad', 'job'), 400, 'INVALID_REQUEST'],
    [
      Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }),
      413,
      'BODY_TOO_LARGE',
    ],
    [Object.assign(new SyntaxError('Unexpected end'), { statusCode: 400 }), 400, 'BAD_JSON'],
  ];
  for (const [error, status, code] of cases) {
    const mapped = toHttpError(error);
    assert.equal(mapped.status, status, String(error));
    assert.equal(mapped.body.error.code, code);
  }
  assert.equal(toHttpError(new ApiError(400, 'INVALID_REQUEST', 'x', 'job')).body.error.field, 'job');
});

test('anything else is a 500 that hides its message', () => {
  const mapped = toHttpError(new Error('password=hunter2 in a driver message'));
  assert.equal(mapped.status, 500);
  assert.equal(mapped.body.error.code, 'INTERNAL');
  assert.ok(!JSON.stringify(mapped.body).includes('hunter2'));
  assert.equal(toHttpError(new StoreError('DB_ERROR', 'connection reset')).status, 500);
});

test('every Slipway error maps by its kind: 400, 422, 404, 409 and 503 show code and message', () => {
  const cases: [Error & { code: string }, number][] = [
    [new PlatformError('BAD_REQUEST', 'weights must add up to 100, got 90'), 400],
    [new StoreError('INVALID_INPUT', 'a token needs a non-empty name'), 400],
    [new PlanError('CYCLE', 'cycle among a, b'), 422],
    [new PipelineError('CONFIG_INVALID', 'slipway.yaml is invalid: jobs: required'), 422],
    [new ReleaseError('RELEASE_NOT_FOUND', 'no release v9.9.9'), 404],
    [new PlatformError('REVISION_NOT_FOUND', 'no revision r-1'), 404],
    [new RolloutError('NOTHING_TO_ROLL_BACK_TO', 'web has no earlier revision'), 409],
    [new RolloutError('ENDPOINT_UNAVAILABLE', 'web in production cannot serve: port 80 in use'), 503],
    [new PlatformError('AGENT_UNAVAILABLE', 'no agent is running'), 503],
    [new ServerError('CONFIG_UNREADABLE', 'cannot read /srv/slipway.yaml: EACCES'), 503],
  ];
  for (const [error, status] of cases) {
    assert.deepEqual(
      toHttpError(error),
      { status, body: { error: { code: error.code, message: error.message } } },
      String(error),
    );
  }
  assert.equal(toHttpError(new ConfigFileError('CONFIG_NOT_FOUND', 'no slipway.yaml')).status, 400);
});

test('failures hide their message behind a 500 like bugs do', () => {
  for (const error of [
    new ReleaseError('GIT_FAILED', 'git push failed: token ghp_secret rejected'),
    new StoreError('MIGRATION_FAILED', 'migration 7 failed: postgres://u:pw@db'),
  ]) {
    const mapped = toHttpError(error);
    assert.deepEqual(mapped, {
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'internal server error (it was logged)' } },
    });
  }
});
