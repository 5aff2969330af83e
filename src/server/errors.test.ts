// Unit tests of the one mapping from errors to HTTP statuses and JSON bodies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PipelineError } from '../pipeline/errors.js';
import { RolloutError } from '../rollout/errors.js';
import { StoreError } from '../store/errors.js';
import { ApiError, toHttpError } from './errors.js';

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
