// Unit tests of the Server-Sent Events parser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readSse, SseParser } from './sse-reader.js';

describe('SseParser', () => {
  test('splits messages across chunks, skips comments and joins data lines', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push(': stream open\n\nid: 4\nevent: taskrun.started\nda'), []);
    assert.deepEqual(parser.push('ta: {"id":4}\n\n: ping\n\ndata: a\r\ndata: b\r\n\r\n'), [
      { id: '4', event: 'taskrun.started', data: '{"id":4}' },
      { id: undefined, event: undefined, data: 'a\nb' },
    ]);
  });
});

describe('readSse', () => {
  test('reads the messages of a byte stream', async () => {
    const bytes = new TextEncoder().encode('id: 1\ndata: {"x":1}\n\nid: 2\ndata: {"x":2}\n\n');
    async function* chunks() {
      yield bytes.slice(0, 7);
      yield bytes.slice(7);
    }
    const ids: (string | undefined)[] = [];
    for await (const message of readSse(chunks())) ids.push(message.id);
    assert.deepEqual(ids, ['1', '2']);
  });
});
