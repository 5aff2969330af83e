import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { createMasker, createStreamMasker, type Masker } from './masker.js';

/** Feeds `chunks` through a fresh stream masker and returns everything it emitted. */
function streamed(masker: Masker, chunks: readonly string[]): string {
  const stream = createStreamMasker(masker);
  return chunks.map((chunk) => stream.push(chunk)).join('') + stream.flush();
}

const secret = 'hunter2-is-the-password';
const masker = createMasker([secret, 'multi\nline secret']);
const text = `start ${secret} mid ${Buffer.from(secret).toString('base64')}\nnext multi\nline secret${secret}.`;

test('a secret split at any point across two chunks is masked', () => {
  const expected = masker.mask(text);
  assert.ok(!expected.includes('hunter2'));
  for (let i = 0; i <= text.length; i += 1) {
    assert.equal(streamed(masker, [text.slice(0, i), text.slice(i)]), expected, `split at ${i}`);
  }
});

test('a secret split at any two points across three chunks is masked', () => {
  const expected = masker.mask(text);
  for (let i = 0; i <= text.length; i += 3) {
    for (let j = i; j <= text.length; j += 1) {
      const chunks = [text.slice(0, i), text.slice(i, j), text.slice(j)];
      assert.equal(streamed(masker, chunks), expected, `split at ${i}, ${j}`);
    }
  }
});

test('one character at a time still masks everything', () => {
  assert.equal(streamed(masker, [...text]), masker.mask(text));
});

test('complete lines are released at once when no secret spans lines', () => {
  const stream = createStreamMasker(createMasker(['hunter2']));
  assert.equal(stream.push('login with hunter2\nno'), 'login with ***\n');
  assert.equal(stream.push('thing\n'), 'nothing\n');
  // The longest pattern, base64 'aHVudGVyMg==', has 12 characters: 11 may start it, so 11 wait.
  assert.equal(stream.push('a partial line, then hunt'), 'a partial line');
  assert.equal(stream.push('er2'), ', t');
  assert.equal(stream.flush(), 'hen ***');
});

test('only the possible start of a secret is held back', () => {
  const hunter = createMasker(['hunter2']);
  assert.equal(hunter.longestPattern, 12);
  const stream = createStreamMasker(hunter);
  const line = 'x'.repeat(10_000);
  const out = stream.push(line);
  assert.equal(out.length, line.length - 11);
  assert.equal(out + stream.flush(), line);
});

test('a long run of overlapping matches is masked without buffering it all', () => {
  const stream = createStreamMasker(createMasker(['aaa']));
  let out = '';
  for (let i = 0; i < 100; i += 1) {
    out += stream.push('a'.repeat(1000));
    assert.ok(out.length > 0 || i === 0);
  }
  out += stream.flush();
  assert.equal(out, '***');
  assert.equal(streamed(createMasker(['aaa']), ['xaaaa', 'aay', 'aaaz']), 'x***y***z');
});

test('with nothing to mask the stream passes through unchanged', () => {
  const stream = createStreamMasker(createMasker([]));
  assert.equal(stream.push('abc'), 'abc');
  assert.equal(stream.flush(), '');
});
