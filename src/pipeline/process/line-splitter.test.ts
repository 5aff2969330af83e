import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from './line-splitter.js';

test('complete lines come out, the partial last line waits for flush', () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push('one\ntwo\nthr'), ['one', 'two']);
  assert.deepEqual(splitter.push('ee'), []);
  assert.deepEqual(splitter.push('\n\nfour'), ['three', '']);
  assert.deepEqual(splitter.flush(), ['four']);
  assert.deepEqual(splitter.flush(), []);
});

test('\\r\\n endings are stripped, also when split across chunks; a lone \\r is kept', () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push('a\r\nb\r'), ['a']);
  assert.deepEqual(splitter.push('\nprogress 1%\rprogress 2%\n'), ['b', 'progress 1%\rprogress 2%']);
});

test('every way of chunking the same text yields the same lines', () => {
  const text = 'alpha\r\nbeta\n\ngamma\r\ndelta';
  const expected = ['alpha', 'beta', '', 'gamma', 'delta'];
  for (let i = 0; i <= text.length; i += 1) {
    for (let j = i; j <= text.length; j += 1) {
      const splitter = new LineSplitter();
      const lines = [
        ...splitter.push(text.slice(0, i)),
        ...splitter.push(text.slice(i, j)),
        ...splitter.push(text.slice(j)),
        ...splitter.flush(),
      ];
      assert.deepEqual(lines, expected, `split at ${i}, ${j}`);
    }
  }
});

test('a line longer than the limit comes out in pieces while it streams', () => {
  const splitter = new LineSplitter({ maxLineLength: 4 });
  assert.deepEqual(splitter.push('abcdefghij'), ['abcd', 'efgh']);
  assert.deepEqual(splitter.push('k\nxyz\n'), ['ijk', 'xyz']);
  assert.deepEqual(splitter.push('abcd\n'), ['abcd']);
});

test('memory stays bounded: a huge line without newline is never held whole', () => {
  const splitter = new LineSplitter({ maxLineLength: 1024 });
  let emitted = 0;
  for (let i = 0; i < 1000; i += 1) {
    for (const piece of splitter.push('x'.repeat(1000))) {
      assert.ok(piece.length <= 1024);
      emitted += piece.length;
    }
  }
  const rest = splitter.flush().join('');
  assert.ok(rest.length <= 1024);
  assert.equal(emitted + rest.length, 1_000_000);
});

test('pieces never split a surrogate pair', () => {
  const splitter = new LineSplitter({ maxLineLength: 4 });
  const lines = [...splitter.push('abc😀def\n'), ...splitter.flush()];
  assert.deepEqual(lines, ['abc', '😀de', 'f']);
});
