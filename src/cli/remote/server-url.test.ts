// Unit tests of the server URL checks, API URL joining and the exit codes of remote errors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RemoteError } from './remote-error.js';
import { apiUrl, parseServerUrl } from './server-url.js';

describe('parseServerUrl', () => {
  test('keeps a path prefix and drops trailing slashes', () => {
    assert.equal(parseServerUrl('http://127.0.0.1:7070').base, 'http://127.0.0.1:7070');
    assert.equal(parseServerUrl('http://127.0.0.1:7070/').base, 'http://127.0.0.1:7070');
    assert.equal(parseServerUrl('https://ci.example.com/slipway//').base, 'https://ci.example.com/slipway');
  });

  test('refuses other schemes, credentials, queries and non-URLs as usage errors', () => {
    for (const [text, pattern] of [
      ['ftp://example.com', /http:\/\/ or https:\/\/ URL, got a ftp: URL/],
      ['example.com:7070', /http:\/\/ or https:\/\/ URL/],
      ['not a url', /got 'not a url'/],
      ['https://me:secret@example.com', /must not contain a user or password/],
      ['https://example.com/?x=1', /query string or fragment/],
    ] as const) {
      assert.throws(
        () => parseServerUrl(text),
        (error: unknown) =>
          error instanceof RemoteError &&
          error.code === 'BAD_URL' &&
          error.exitCode === 2 &&
          pattern.test(error.message),
        text,
      );
    }
  });
});

describe('apiUrl', () => {
  test('joins the prefix, the path and the defined query values', () => {
    const server = parseServerUrl('https://ci.example.com/slipway/');
    assert.equal(apiUrl(server, '/api/v1/runs'), 'https://ci.example.com/slipway/api/v1/runs');
    assert.equal(
      apiUrl(server, '/api/v1/events', { type: 'a.b,c.d', run: 3, service: undefined }),
      'https://ci.example.com/slipway/api/v1/events?type=a.b%2Cc.d&run=3',
    );
  });
});

describe('RemoteError exit codes', () => {
  test('401 and 403 fail (1), other 4xx are usage errors (2), 5xx and unreachable fail (1)', () => {
    const http = (status: number) => new RemoteError('HTTP', 'x', { status }).exitCode;
    assert.deepEqual([401, 403, 400, 404, 409, 422, 500, 503].map(http), [1, 1, 2, 2, 2, 2, 1, 1]);
    assert.equal(new RemoteError('UNREACHABLE', 'x').exitCode, 1);
    assert.equal(new RemoteError('NO_TOKEN', 'x').exitCode, 2);
    assert.equal(new RemoteError('LOCAL_ONLY', 'x').exitCode, 2);
  });
});
