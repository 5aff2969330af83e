import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ResponseHandler, ResponseParser } from './response-parser.js';

interface Parsed {
  heads: { status: number; reason: string; raw: string[]; keepAlive: boolean }[];
  body: string;
  lastFlags: boolean[];
  completions: number;
  error: string | undefined;
}

function parse(chunks: (string | Buffer)[], options: { head?: boolean; eof?: boolean } = {}): Parsed {
  const parsed: Parsed = { heads: [], body: '', lastFlags: [], completions: 0, error: undefined };
  const handler: ResponseHandler = {
    onHead: (status, reason, raw, keepAlive) => parsed.heads.push({ status, reason, raw, keepAlive }),
    onBody: (chunk, last) => {
      parsed.body += chunk.toString('latin1');
      parsed.lastFlags.push(last);
    },
    onComplete: () => parsed.completions++,
  };
  const parser = new ResponseParser(handler);
  parser.expect(options.head ?? false);
  for (const chunk of chunks) {
    parsed.error = parser.execute(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    if (parsed.error !== undefined) return parsed;
  }
  if (options.eof && !parser.finish()) parsed.error = 'truncated';
  return parsed;
}

/** Every way of cutting `text` in two. */
function splits(text: string): string[][] {
  const out: string[][] = [];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

describe('ResponseParser', () => {
  test('parses a Content-Length response, however it is split', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-Empty:\r\n\r\nhello';
    for (const chunks of [[text], ...splits(text)]) {
      const parsed = parse(chunks);
      assert.equal(parsed.error, undefined);
      assert.deepEqual(parsed.heads, [
        {
          status: 200,
          reason: 'OK',
          raw: ['Content-Type', 'text/plain', 'Content-Length', '5', 'X-Empty', ''],
          keepAlive: true,
        },
      ]);
      assert.equal(parsed.body, 'hello');
      assert.equal(parsed.lastFlags.at(-1), true);
      assert.equal(parsed.completions, 1);
    }
  });

  test('decodes chunked bodies split at every byte, with extensions and trailers', () => {
    const text =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;ext=1\r\nhello\r\n1A\r\n abcdefghijklmnopqrstuvwxy\r\n0\r\nX-Trailer: t\r\n\r\n';
    for (const chunks of [[text], ...splits(text)]) {
      const parsed = parse(chunks);
      assert.equal(parsed.error, undefined, String(chunks[0]?.length));
      assert.equal(parsed.body, 'hello abcdefghijklmnopqrstuvwxy');
      assert.equal(parsed.completions, 1);
      assert.equal(parsed.heads[0]?.keepAlive, true);
    }
  });

  test('skips 1xx responses before the final one', () => {
    const parsed = parse([
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n',
      'HTTP/1.1 204 No Content\r\n\r\n',
    ]);
    assert.equal(parsed.error, undefined);
    assert.deepEqual(
      parsed.heads.map((h) => h.status),
      [204],
    );
    assert.equal(parsed.completions, 1);
  });

  test('a response to HEAD, a 204 and a 304 have no body whatever their headers say', () => {
    for (const [text, head] of [
      ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', true],
      ['HTTP/1.1 204 No Content\r\nContent-Length: 100\r\n\r\n', false],
      ['HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n', false],
    ] as const) {
      const parsed = parse([text], { head });
      assert.equal(parsed.error, undefined);
      assert.equal(parsed.completions, 1, text);
      assert.equal(parsed.body, '');
    }
  });

  test('a body without framing lasts until the connection closes and is not kept alive', () => {
    const parsed = parse(['HTTP/1.0 200 OK\r\n\r\nsome', ' data'], { eof: true });
    assert.equal(parsed.error, undefined);
    assert.equal(parsed.body, 'some data');
    assert.equal(parsed.heads[0]?.keepAlive, false);
    assert.equal(parsed.completions, 1);
  });

  test('keep-alive follows the version and Connection header', () => {
    const closeOn11 = parse(['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n']);
    assert.equal(closeOn11.heads[0]?.keepAlive, false);
    const keepOn10 = parse(['HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n']);
    assert.equal(keepOn10.heads[0]?.keepAlive, true);
    const plain10 = parse(['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n']);
    assert.equal(plain10.heads[0]?.keepAlive, false);
  });

  test('a Content-Length body cut short by the connection closing is not complete', () => {
    const parsed = parse(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'], { eof: true });
    assert.equal(parsed.error, 'truncated');
    assert.equal(parsed.completions, 0);
  });

  for (const [label, text] of [
    ['a bad status line', 'HTTP/2 200 OK\r\n\r\n'],
    ['a non-numeric status', 'HTTP/1.1 2x0 OK\r\n\r\n'],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nbroken\r\n\r\n'],
    ['obsolete line folding', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  continued\r\n\r\n'],
    ['conflicting Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'],
    ['a non-numeric Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['chunk data without CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n'],
    ['data after the response', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab'],
    ['101 on a plain request', 'HTTP/1.1 101 Switching Protocols\r\n\r\n'],
  ] as const) {
    test(`rejects ${label}`, () => {
      assert.notEqual(parse([text]).error, undefined);
    });
  }

  test('rejects a head larger than 64 KiB', () => {
    const parsed = parse([`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}`]);
    assert.equal(parsed.error, 'response head too large');
  });
});
