// Unit tests of the has() rewrite: the text it produces and the offsets it maps back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Environment } from '@marcbachmann/cel-js';
import { guardNestedHas } from './nested-has.js';

const ast = (source: string) => new Environment({ unlistedVariablesAreDyn: true }).parse(source).ast;
const rewrite = (source: string) => guardNestedHas(source, ast(source));

test('a has() of a path two fields deep or more tests each step first', () => {
  assert.equal(rewrite('has(a.b.c)')?.source, '(has(a.b) && has(a.b.c))');
  assert.equal(
    rewrite('x || has(r.after.tags.owner)')?.source,
    'x || (has(r.after) && has(r.after.tags) && has(r.after.tags.owner))',
  );
  assert.equal(rewrite('l.all(i, has(i.t.o))')?.source, 'l.all(i, (has(i.t) && has(i.t.o)))');
});

test('an expression without a nested has() is left alone', () => {
  assert.equal(rewrite('has(a.b) && a.b.c == 1'), undefined);
});

test('offsets after, inside and before a rewritten call map back to the original text', () => {
  const source = 'y && has(a.b.c) && has(d.e.f) && z';
  const r = rewrite(source)!;
  assert.equal(r.source, 'y && (has(a.b) && has(a.b.c)) && (has(d.e) && has(d.e.f)) && z');
  const z = r.source.lastIndexOf('z');
  assert.equal(r.toOriginal(z), source.lastIndexOf('z'));
  assert.equal(r.toOriginal(r.source.indexOf('has(a.b.c)')), source.indexOf('has(a.b.c)'));
  assert.equal(r.toOriginal(r.source.indexOf('has(d.e.f)')), source.indexOf('has(d.e.f)'));
  assert.equal(r.toOriginal(0), 0);
});
