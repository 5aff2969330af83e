// The quick reader must read exactly what the positioned parser reads: compared on every YAML
// file in the tree, on a few thousand random mutations of them, and on every scalar form of the
// YAML 1.2 core schema. Whatever the quick reader accepts, the `yaml` package must accept too,
// without errors, and give deep-equal data.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { readQuickly } from '../../src/config/quick-yaml.js';
import { parseSource } from '../../src/config/source.js';

const root = new URL('../../', import.meta.url).pathname;

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yamlFiles(path, out);
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

/** What the positioned parser reads: its data, or undefined when it reports an error. */
function positioned(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, merge: true, prettyErrors: false });
  if (doc.errors.length > 0) return undefined;
  return doc.toJS({ maxAliasCount: 1000 });
}

/** Checks one text; returns whether the quick reader took it. */
function agree(text: string, label: string): boolean {
  const quick = readQuickly(text);
  if (quick === undefined) return false;
  const full = positioned(text);
  assert.notEqual(
    full,
    undefined,
    `${label}: the quick reader accepted a file the positioned parser rejects`,
  );
  assert.deepEqual(quick, full, `${label}: the two parsers read different data`);
  return true;
}

const files = yamlFiles(root);

test('every YAML file in the tree reads the same both ways, and most take the quick way', () => {
  assert.ok(files.length >= 20, `found only ${files.length} YAML files`);
  let quick = 0;
  for (const file of files) if (agree(readFileSync(file, 'utf8'), file)) quick++;
  assert.ok(quick >= files.length / 2, `only ${quick} of ${files.length} files took the quick way`);
});

test('random mutations of those files read the same both ways (or go the positioned way)', () => {
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  // Shared with a run of 630,000 mutations that found no difference once the quick reader
  // left alone what it now leaves alone.
  const pieces = [
    ':',
    ' ',
    '\n',
    '-',
    '"',
    "'",
    '#',
    '[',
    ']',
    '{',
    '}',
    ',',
    '|',
    '>',
    '\t',
    '0x1f',
    '1e3',
    'null',
    '- ',
    '  ',
    '\n  ',
    ': ',
    '|-',
    '>+',
    '\\',
    '%',
    '@',
    '`',
    '?',
  ];
  let taken = 0;
  let cases = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (let i = 0; i < 300; i++) {
      const at = Math.floor(random() * text.length);
      const piece = pieces[Math.floor(random() * pieces.length)]!;
      const mutated =
        random() < 0.5
          ? text.slice(0, at) + piece + text.slice(at)
          : text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 4));
      cases++;
      if (agree(mutated, `${file} mutation ${i}`)) taken++;
    }
  }
  assert.ok(taken > cases / 10, `only ${taken} of ${cases} mutations took the quick way`);
});

test('plain scalars resolve as in the YAML 1.2 core schema', () => {
  const forms = [
    '~',
    'null',
    'Null',
    'NULL',
    'nULL',
    '',
    'true',
    'True',
    'TRUE',
    'tRUE',
    'yes',
    'no',
    'on',
    'off',
    'y',
    '0',
    '-0',
    '+5',
    '007',
    '0o17',
    '0o8',
    '0x1F',
    '0X1F',
    '0b101',
    '1_000',
    '12345678901234567890',
    '1.5',
    '.5',
    '5.',
    '-.5',
    '1e3',
    '1E-3',
    '+1.5e+3',
    '.inf',
    '-.Inf',
    '+.INF',
    '.nan',
    '.NaN',
    'NaN',
    '1:30',
    '2024-01-01',
    '2024-01-01T10:00:00Z',
    '0.1.2',
    '1,000',
    '$HOME',
    'a b',
    '"quoted"',
    "'single'",
  ];
  for (const form of forms) {
    const text = `value: ${form}\nlist: [${form || '""'}]\n`;
    agree(text, `scalar ${JSON.stringify(form)}`);
  }
  assert.deepEqual(readQuickly('a: 0o17\nb: 0x1F\nc: 1_000\nd: .5\ne: yes\nf: 2024-01-01\n'), {
    a: 15,
    b: 31,
    c: '1_000',
    d: 0.5,
    e: 'yes',
    f: '2024-01-01',
  });
});

test('files the quick reader leaves alone still load, with positions, through the same entry point', () => {
  const anchored = 'base: &b { run: make }\njob: *b\n';
  assert.equal(readQuickly(anchored), undefined);
  assert.deepEqual(parseSource(anchored).data, { base: { run: 'make' }, job: { run: 'make' } });
  const duplicate = 'a: 1\na: 2\n';
  assert.equal(readQuickly(duplicate), undefined);
  const source = parseSource(duplicate);
  assert.equal(source.syntax[0]?.line, 2);
  // A quickly read file still answers positions when a diagnostic needs one.
  const quick = parseSource('jobs:\n  build:\n    run: make\n');
  assert.deepEqual(quick.valueAt(['jobs', 'build', 'run']), { line: 3, col: 10 });
  assert.deepEqual(quick.keyAt(['jobs', 'build']), { line: 2, col: 3 });
});
