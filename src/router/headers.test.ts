import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type RequestFacts,
  type ResponseFacts,
  readCookie,
  rewriteRequestHeaders,
  rewriteResponseHeaders,
} from './headers.js';

function facts(): RequestFacts {
  return { override: undefined, cookie: undefined, body: 'none', hasHost: false };
}

const plain = { upgrade: false, trustForwarded: false };

describe('rewriteRequestHeaders', () => {
  test('drops hop-by-hop headers and the override, keeps the rest, sets X-Forwarded-*', () => {
    const raw = [
      'Host',
      'example.com',
      'Connection',
      'keep-alive, X-Secret',
      'Keep-Alive',
      'timeout=5',
      'X-Secret',
      'drop me',
      'TE',
      'trailers',
      'Upgrade',
      'h2c',
      'Proxy-Authorization',
      'Basic x',
      'X-Slipway-Revision',
      ' canary ',
      'Accept',
      'text/plain',
      'X-Forwarded-For',
      '6.6.6.6',
      'X-Forwarded-Proto',
      'https',
      'Expect',
      '100-continue',
      'Cookie',
      'a=1',
      'cookie',
      'b=2',
    ];
    const f = facts();
    rewriteRequestHeaders(raw, '10.0.0.1', plain, f);
    assert.deepEqual(raw, [
      'Host',
      'example.com',
      'Accept',
      'text/plain',
      'Cookie',
      'a=1',
      'cookie',
      'b=2',
      'x-forwarded-for',
      '10.0.0.1',
      'x-forwarded-proto',
      'http',
      'x-forwarded-host',
      'example.com',
    ]);
    assert.equal(f.override, 'canary');
    assert.equal(f.cookie, 'a=1; b=2');
    assert.equal(f.hasHost, true);
    assert.equal(f.body, 'none');
  });

  test('extends X-Forwarded-* from a trusted proxy', () => {
    const raw = [
      'host',
      'inner',
      'x-forwarded-for',
      '1.1.1.1',
      'x-forwarded-proto',
      'https',
      'x-forwarded-host',
      'outer',
    ];
    rewriteRequestHeaders(raw, '10.0.0.1', { upgrade: false, trustForwarded: true }, facts());
    assert.deepEqual(raw, [
      'host',
      'inner',
      'x-forwarded-for',
      '1.1.1.1, 10.0.0.1',
      'x-forwarded-proto',
      'https',
      'x-forwarded-host',
      'outer',
    ]);
  });

  test('detects the body framing and keeps Transfer-Encoding for Node to re-frame', () => {
    const length = facts();
    const raw = ['Content-Length', '12'];
    rewriteRequestHeaders(raw, undefined, plain, length);
    assert.equal(length.body, 'length');
    assert.deepEqual(raw.slice(0, 2), ['Content-Length', '12']);
    const empty = facts();
    rewriteRequestHeaders(['content-length', '0'], undefined, plain, empty);
    assert.equal(empty.body, 'none');
    const chunked = facts();
    const rawChunked = ['Transfer-Encoding', 'chunked'];
    rewriteRequestHeaders(rawChunked, undefined, plain, chunked);
    assert.equal(chunked.body, 'chunked');
    assert.deepEqual(rawChunked.slice(0, 2), ['Transfer-Encoding', 'chunked']);
  });

  test('keeps Connection and Upgrade for a WebSocket handshake', () => {
    const raw = ['Host', 'h', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'];
    rewriteRequestHeaders(raw, '::1', { upgrade: true, trustForwarded: false }, facts());
    assert.deepEqual(raw.slice(0, 8), [
      'Host',
      'h',
      'Connection',
      'Upgrade',
      'Upgrade',
      'websocket',
      'Sec-WebSocket-Key',
      'k',
    ]);
  });
});

describe('rewriteResponseHeaders', () => {
  test('drops hop-by-hop headers, replaces X-Slipway-Revision and appends the sticky cookie', () => {
    const raw = [
      'Content-Type',
      'text/plain',
      'Connection',
      'keep-alive',
      'Keep-Alive',
      'timeout=5',
      'Transfer-Encoding',
      'chunked',
      'X-Slipway-Revision',
      'spoofed',
      'Set-Cookie',
      'session=1',
    ];
    const found = { flagVariants: undefined };
    const keepAlive = rewriteResponseHeaders(raw, 'r-1', 'slipway-sticky=r-1; Path=/', found);
    assert.equal(keepAlive, 'timeout=5');
    assert.equal(found.flagVariants, undefined);
    assert.deepEqual(raw, [
      'Content-Type',
      'text/plain',
      'Set-Cookie',
      'session=1',
      'x-slipway-revision',
      'r-1',
      'set-cookie',
      'slipway-sticky=r-1; Path=/',
    ]);
  });

  test('drops headers the Connection header lists', () => {
    const raw = ['Connection', 'close, X-Internal', 'X-Internal', '1', 'Content-Length', '0'];
    rewriteResponseHeaders(raw, 'r', undefined, { flagVariants: undefined });
    assert.deepEqual(raw, ['Content-Length', '0', 'x-slipway-revision', 'r']);
  });

  test('reads X-Slipway-Flag-Variants (every one, joined) and does not pass it on', () => {
    const raw = [
      'X-Slipway-Flag-Variants',
      'new-checkout=on',
      'Content-Length',
      '0',
      'x-slipway-flag-variants',
      'theme=dark',
      'X-Slipway-Flag-Variantz',
      'kept',
    ];
    const found: ResponseFacts = { flagVariants: undefined };
    rewriteResponseHeaders(raw, 'r', undefined, found);
    assert.equal(found.flagVariants, 'new-checkout=on, theme=dark');
    assert.deepEqual(raw, [
      'Content-Length',
      '0',
      'X-Slipway-Flag-Variantz',
      'kept',
      'x-slipway-revision',
      'r',
    ]);
  });
});

describe('readCookie', () => {
  test('finds a cookie by exact name', () => {
    const header = 'xslipway-sticky=no; slipway-sticky=r-2;slipway-revision="canary"; other=1';
    assert.equal(readCookie(header, 'slipway-sticky'), 'r-2');
    assert.equal(readCookie(header, 'slipway-revision'), 'canary');
    assert.equal(readCookie(header, 'other'), '1');
    assert.equal(readCookie(header, 'missing'), undefined);
    assert.equal(readCookie('slipway-stickyx=1', 'slipway-sticky'), undefined);
    assert.equal(readCookie('slipway-sticky=', 'slipway-sticky'), '');
  });
});
