import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { createMasker } from './masker.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

test('every occurrence of a plain value is masked', () => {
  const masker = createMasker(['hunter2']);
  assert.equal(masker.mask('pw=hunter2; again hunter2!'), 'pw=***; again ***!');
  assert.equal(masker.mask('nothing here'), 'nothing here');
});

test('the standard base64 of a value is masked whole, padding included', () => {
  const masker = createMasker(['s3cr3t-value']);
  assert.equal(masker.mask(`token ${b64('s3cr3t-value')} end`), 'token *** end');
  assert.equal(masker.mask(`token ${b64('hunter2')} end`), `token ${b64('hunter2')} end`);
  assert.equal(createMasker(['hunter2']).mask(`x ${b64('hunter2')} y`), 'x *** y');
});

test('a value inside a longer base64 text is masked at every alignment', () => {
  const secret = 'correct-horse-battery';
  const masker = createMasker([secret]);
  for (const prefix of ['', 'u', 'us', 'use', 'user', 'user:']) {
    for (const suffix of ['', '\n', '!x', 'abc']) {
      const encoded = b64(prefix + secret + suffix);
      const masked = masker.mask(encoded);
      assert.ok(masked.includes('***'), `${JSON.stringify(prefix)} + secret + ${JSON.stringify(suffix)}`);
      // What stays visible encodes at most the prefix, the suffix and the two bytes at each edge.
      assert.ok(masked.length <= encoded.length - 20, `${masked} from ${encoded}`);
    }
  }
  const header = `Authorization: Basic ${b64(`admin:${secret}`)}`;
  assert.ok(!masker.mask(header).includes(b64(`admin:${secret}`).slice(8, 20)));
});

test('the longest match wins and overlapping secrets leave nothing visible', () => {
  assert.equal(createMasker(['abc', 'abcdef']).mask('xabcdefx'), 'x***x');
  assert.equal(createMasker(['abcdef', 'abc']).mask('xabcdefx abcx'), 'x***x ***x');
  assert.equal(createMasker(['abcd', 'cdef']).mask('_abcdef_'), '_***_');
  assert.deepEqual(
    createMasker(['abc', 'abcdef']).patterns.map((p) => p.length),
    [...createMasker(['abc', 'abcdef']).patterns.map((p) => p.length)].sort((a, b) => b - a),
  );
});

test('values shorter than 3 characters are not masked', () => {
  const masker = createMasker(['a', 'on', '']);
  assert.deepEqual(masker.patterns, []);
  assert.equal(masker.longestPattern, 0);
  assert.equal(masker.mask('a cat sat on a mat'), 'a cat sat on a mat');
  assert.equal(createMasker(['abc']).mask('ab abc'), 'ab ***');
});

test('a multi-line value is masked whole and line by line, skipping short lines', () => {
  const key = '-----BEGIN KEY-----\r\nMIIBOgIBAAJB\nx\n-----END KEY-----';
  const masker = createMasker([key]);
  assert.equal(masker.spansLines, true);
  assert.equal(masker.mask(`key:\n${key}\n`), 'key:\n***\n');
  assert.equal(masker.mask('echo MIIBOgIBAAJB | base64 -d'), 'echo *** | base64 -d');
  assert.equal(masker.mask('x marks'), 'x marks');
  assert.equal(createMasker(['hunter2']).spansLines, false);
});
