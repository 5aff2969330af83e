// Unit tests of parseManifests: documents as kubectl reads them, empty ones skipped, positions kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifests } from './parse-manifests.js';

const parse = (text: string, origin: 'file' | 'kustomize' = 'file') =>
  parseManifests([{ file: 'm.yaml', origin, text }]);

test('empty documents are skipped but counted, so indexes match the file', () => {
  const { documents, issues } = parse('---\n# nothing\n---\na: 1\n---\n---\nb: 2\n');
  assert.deepEqual(issues, []);
  assert.deepEqual(
    documents.map((d) => [d.document, d.value]),
    [
      [1, { a: 1 }],
      [3, { b: 2 }],
    ],
  );
});

test('scalars follow go-yaml v2: 1.1 booleans and octals; dates and base-60 stay strings', () => {
  const [doc] = parse('a: on\nb: 0755\nc: 2024-01-02\nd: 22:22\ne: "yes"\nf: 1.5\n').documents;
  assert.deepEqual(doc?.value, { a: true, b: 0o755, c: '2024-01-02', d: '22:22', e: 'yes', f: 1.5 });
});

test('merge keys and aliases are resolved', () => {
  const [doc] = parse('base: &b { a: 1, b: 2 }\nmerged:\n  <<: *b\n  b: 3\n').documents;
  assert.deepEqual(doc?.value, { base: { a: 1, b: 2 }, merged: { a: 1, b: 3 } });
});

test('a key kubectl reads as a boolean (y, on) becomes "true", as kubectl sends it', () => {
  const [doc] = parse('y: 1\n').documents;
  assert.deepEqual(doc?.value, { true: 1 });
});

test('locate points at the key of a field, an item of a list, or the nearest ancestor written', () => {
  const [doc] = parse(
    'spec:\n  containers:\n    - name: a\n      image: x\n  template: &t\n    k: v\nother: *t\n',
  ).documents;
  assert.deepEqual(doc?.locate(['spec', 'containers', 0, 'image']), { line: 4, col: 7 });
  assert.deepEqual(doc?.locate(['spec', 'containers', 0]), { line: 3, col: 7 });
  assert.deepEqual(doc?.locate(['spec', 'missing', 'deeper']), { line: 1, col: 1 });
  assert.deepEqual(doc?.locate(['other', 'k']), { line: 6, col: 5 });
  assert.deepEqual(doc?.locate([]), { line: 1, col: 1 });
});

test('rendered output is not located: its lines are not the user’s', () => {
  const [doc] = parse('a: 1\n', 'kustomize').documents;
  assert.equal(doc?.locate(['a']), undefined);
});

test('YAML that does not parse is an error at its line, in the document it breaks', () => {
  const { documents, issues } = parse('a: 1\n---\nb: [1, 2\nc: 3\n');
  assert.deepEqual(
    documents.map((d) => d.value),
    [{ a: 1 }],
  );
  assert.ok(issues.length > 0);
  assert.deepEqual(
    issues.map((i) => [i.severity, i.document, i.path]),
    issues.map(() => ['error', 1, '']),
  );
  // The parser notices the unclosed list where the next key starts.
  assert.equal(issues[0]?.line, 4);
  assert.match(issues[0]?.message ?? '', /^YAML does not parse: /);
});

test('a JSON file parses as the one document it is', () => {
  const { documents } = parseManifests([
    { file: 'm.json', origin: 'file', text: '{"kind": "ConfigMap", "n": [1]}' },
  ]);
  assert.deepEqual(
    documents.map((d) => d.value),
    [{ kind: 'ConfigMap', n: [1] }],
  );
});
