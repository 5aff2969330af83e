// Mutates valid configs at random and checks that loading never throws past the CLI boundary:
// every case ends in exit code 0 or 1 with diagnostics, never an internal error or a stack trace.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { loadConfigText } from '../../src/config/load-config.js';
import { captureIo } from '../helpers/capture-io.js';

const SEEDS = [
  readFileSync(new URL('../fixtures/spine-snippet.yaml', import.meta.url), 'utf8'),
  readFileSync(new URL('../fixtures/services-and-environments.yaml', import.meta.url), 'utf8'),
  readFileSync(new URL('../fixtures/feature-flag-rollout.yaml', import.meta.url), 'utf8'),
  `jobs:
  build: { run: make, timeout: 10m, retry: { attempts: 3, backoff: 2s }, cache: { key: k, paths: [node_modules] } }
  test:
    steps:
      - { name: unit, run: npm test }
    needs: [build]
    matrix: { node: [18, 20], exclude: [{ node: 18 }] }
    env: { CI: true }
    secrets: [NPM_TOKEN]
`,
];

// A small deterministic PRNG so a failing case can be reproduced from its number.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK = [
  '',
  ' ',
  ':',
  '- ',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '&a',
  '*a',
  '!!int',
  '\t',
  '#',
  '?',
  '|',
  '>',
  '%',
  '@',
  '0',
  'null',
  '-1',
  '1e999',
  '~',
  'true',
  '${{',
  '\\u0000',
  'ü',
  '<<: *a',
];

function mutate(text: string, random: () => number): string {
  const lines = text.split('\n');
  const pick = () => Math.floor(random() * lines.length);
  const ops = 1 + Math.floor(random() * 3);
  for (let k = 0; k < ops; k++) {
    const i = pick();
    const line = lines[i] ?? '';
    const junk = JUNK[Math.floor(random() * JUNK.length)]!;
    switch (Math.floor(random() * 8)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, lines[pick()] ?? '');
        break;
      case 2: {
        const at = Math.floor(random() * (line.length + 1));
        lines[i] = line.slice(0, at) + junk + line.slice(at);
        break;
      }
      case 3:
        lines[i] = line.replace(/:\s.*$/, `: ${junk}`);
        break;
      case 4:
        lines[i] = line.replace(/^\s*/, (ws) => ws.slice(0, Math.max(0, ws.length - 2)));
        break;
      case 5:
        lines[i] = `  ${line}`;
        break;
      case 6:
        lines[i] = line.replace(/[a-z_]+/, (w) => (w.length > 2 ? w.slice(0, -1) : `${w}x`));
        break;
      default:
        lines.length = Math.max(1, i);
    }
  }
  return lines.join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'slipway-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('400 random mutations of valid configs never throw past the CLI boundary', async () => {
  const file = join(dir, 'slipway.yaml');
  const outcomes = { valid: 0, invalid: 0 };
  for (let n = 0; n < 400; n++) {
    const random = rng(n + 1);
    const text = mutate(SEEDS[n % SEEDS.length]!, random);
    assert.doesNotThrow(() => loadConfigText(text), `case ${n} threw in the loader:\n${text}`);
    writeFileSync(file, text);
    const io = captureIo(dir);
    const code = await main(['validate', '-f', file], io);
    assert.ok(code === 0 || code === 1, `case ${n}: exit ${code}\n${io.err()}\n---\n${text}`);
    assert.doesNotMatch(
      io.err() + io.out(),
      /internal error|\n\s+at /,
      `case ${n} printed a stack:\n${text}`,
    );
    if (code === 1) {
      outcomes.invalid++;
      assert.match(
        io.out(),
        /^slipway\.yaml:\d+:\d+: error: /m,
        `case ${n}: no positioned error\n${io.out()}`,
      );
    } else outcomes.valid++;
  }
  // The mutations must actually exercise both outcomes.
  assert.ok(outcomes.invalid > 100, JSON.stringify(outcomes));
  assert.ok(outcomes.valid > 10, JSON.stringify(outcomes));
});

test('hostile YAML: alias bombs, deep nesting and huge scalars are reported, not crashed on', () => {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 0; i < 12; i++)
    bomb.push(
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
    );
  const cases = [
    bomb.join('\n'),
    `jobs: ${'['.repeat(2000)}`,
    `jobs:\n  a: { run: "${'x'.repeat(1_000_000)}" }`,
    '\u0000\u0001',
    '--- a\n--- b\n',
  ];
  const errorsOf = (text: string) => loadConfigText(text).diagnostics.filter((d) => d.severity === 'error');
  const [aliases, nested, huge, control, multi] = cases.map(errorsOf);
  assert.match(aliases![0]!.message, /alias/i);
  assert.ok(nested!.length > 0 && nested!.length < 10, `${nested!.length} diagnostics for deep nesting`);
  assert.deepEqual(huge, []);
  assert.equal(control![0]!.message.startsWith('expected a mapping'), true);
  assert.match(multi![0]!.message, /multiple documents/);
});
