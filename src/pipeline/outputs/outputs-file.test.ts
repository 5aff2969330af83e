import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOutputsFile } from './outputs-file.js';

test('name=value lines, the value kept verbatim after the first =', () => {
  assert.deepEqual(parseOutputsFile('version=1.2.3\nurl=https://x.test/?a=b\nempty=\nspaced= a b \n'), {
    outputs: { version: '1.2.3', url: 'https://x.test/?a=b', empty: '', spaced: ' a b ' },
    errors: [],
  });
});

test('heredoc blocks hold multi-line values, blank lines and = included', () => {
  const text = ['notes<<EOF', 'line one', '', 'a=b', 'EOF', 'image<<__X__', 'app:1', '__X__', ''].join('\n');
  assert.deepEqual(parseOutputsFile(text), {
    outputs: { notes: 'line one\n\na=b', image: 'app:1' },
    errors: [],
  });
  assert.deepEqual(parseOutputsFile('empty<<EOF\nEOF\n').outputs, { empty: '' });
});

test('<< after = is part of a plain value; = after << is part of a delimiter', () => {
  assert.deepEqual(parseOutputsFile('cmd=cat <<EOF\n').outputs, { cmd: 'cat <<EOF' });
  assert.deepEqual(parseOutputsFile('v<<a=b\nx\na=b\n').outputs, { v: 'x' });
});

test('CRLF files parse like LF files, heredoc delimiters included', () => {
  assert.deepEqual(parseOutputsFile('a=1\r\nb<<EOF\r\nx\r\ny\r\nEOF\r\n'), {
    outputs: { a: '1', b: 'x\ny' },
    errors: [],
  });
});

test('later values override earlier ones', () => {
  assert.deepEqual(parseOutputsFile('tag=v1\ntag<<EOF\nv2\nEOF\ntag=v3').outputs, { tag: 'v3' });
});

test('names: letters, digits, _ and -, not starting with a digit or -', () => {
  const { outputs, errors } = parseOutputsFile(
    'ok_name-2=1\n_x=2\n2bad=3\n-bad=4\nbad name=5\n=6\nbad.name<<EOF\nv\nEOF\nz=7',
  );
  assert.deepEqual(outputs, { 'ok_name-2': '1', _x: '2', z: '7' });
  assert.deepEqual(
    errors.map((error) => error.line),
    [3, 4, 5, 6, 7],
  );
  assert.match(errors[0]!.message, /invalid output name "2bad"/);
});

test('a line without = or << is an error with its line number', () => {
  assert.deepEqual(parseOutputsFile('a=1\njust text\nb=2'), {
    outputs: { a: '1', b: '2' },
    errors: [{ line: 2, message: 'expected name=value or name<<DELIMITER' }],
  });
});

test('an unterminated heredoc is an error at its first line; what follows is its value, dropped', () => {
  const { outputs, errors } = parseOutputsFile('a=1\nnotes<<EOF\nb=2\nEOFX\n');
  assert.deepEqual(outputs, { a: '1' });
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.line, 2);
  assert.match(errors[0]!.message, /unterminated "notes"/);
});

test('a heredoc without delimiter is an error', () => {
  assert.deepEqual(parseOutputsFile('x<<\ny=1').errors, [
    { line: 1, message: 'missing delimiter after << for "x"' },
  ]);
  assert.deepEqual(parseOutputsFile('x<<\ny=1').outputs, { y: '1' });
});

test('__proto__ is an ordinary output name', () => {
  const { outputs } = parseOutputsFile('__proto__=x');
  assert.deepEqual(Object.keys(outputs), ['__proto__']);
  assert.equal(Object.getPrototypeOf(outputs), Object.prototype);
});
