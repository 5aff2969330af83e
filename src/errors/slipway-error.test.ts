// Unit tests of the error base and the HTTP statuses of its kinds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HTTP_STATUS, kindOfHttpStatus } from './http-status.js';
import { type ErrorKind, isSlipwayError, SlipwayError } from './slipway-error.js';

class ProbeError extends SlipwayError<'PROBE_FAILED'> {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super('PROBE_FAILED', 'failed', message, options);
  }
}

test('a Slipway error keeps its code, kind, message and cause', () => {
  const cause = new Error('ECONNREFUSED');
  const error = new ProbeError('probe failed', { cause });
  assert.ok(error instanceof Error && isSlipwayError(error));
  assert.deepEqual(
    [error.code, error.kind, error.message, error.cause],
    ['PROBE_FAILED', 'failed', 'probe failed', cause],
  );
  assert.ok(!('cause' in new ProbeError('no cause')), 'no cause property without a cause');
  assert.ok(!('cause' in new ProbeError('no cause', { cause: undefined })));
  assert.equal(isSlipwayError(new Error('plain')), false);
});

test('a client reads back the kind the API answered with, except failures and bugs, which are both 500', () => {
  const kinds = Object.keys(HTTP_STATUS) as ErrorKind[];
  for (const kind of kinds.filter((k) => k !== 'failed' && k !== 'internal'))
    assert.equal(kindOfHttpStatus(HTTP_STATUS[kind]), kind, kind);
  assert.equal(kindOfHttpStatus(HTTP_STATUS.internal), 'failed', "a server's bug is not the client's bug");
  assert.deepEqual([401, 403, 413, 415, 502].map(kindOfHttpStatus), [
    'failed',
    'failed',
    'usage',
    'usage',
    'failed',
  ]);
});
