// The tree keeps its shape: imports point down the layers, no cycles, no source file over 400 lines.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain ES module script without type declarations
import { checkArchitecture } from '../../scripts/check-architecture.mjs';

const check = checkArchitecture as (root: string) => string[];
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('src/ imports only point down the layers, has no cycle and no file over 400 lines', () => {
  assert.deepEqual(check(root), []);
});

test('the check reports an upward import, a sideways import, a cycle, a long file and a folder in no layer', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-arch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, 'src', path)), { recursive: true });
    writeFileSync(join(dir, 'src', path), text);
  };
  write('store/store.ts', "import { x } from '../cli/main.js';\nexport const y = x;\n");
  write('cli/main.ts', 'export const x = 1;\n');
  write('rollout/a.ts', "import type { B } from '../pipeline/b.js';\nexport type A = B;\n");
  write('pipeline/b.ts', "import { c } from './c.js';\nexport type B = string;\nexport const b = c;\n");
  write('pipeline/c.ts', "export { b as c } from './b.js';\n");
  write('release/long.ts', 'export const n = 1;\n'.repeat(401));
  write(
    'release/ok.ts',
    "import { n } from './long.js';\nimport { y } from '../store/store.js';\nexport const m = n + y;\n",
  );
  write('misc/thing.ts', 'export const z = 0;\n');
  write('pipeline/b.test.ts', "import '../cli/main.js';\n");
  const problems = check(dir);
  assert.deepEqual(problems.sort(), [
    'import cycle: src/pipeline/b.ts <-> src/pipeline/c.ts',
    'src/misc/thing.ts: in no layer (add its folder to UNITS in scripts/check-architecture.mjs)',
    'src/release/long.ts: 401 lines (at most 400)',
    'src/rollout/a.ts imports src/pipeline/b.ts: rollout (middle) may not import pipeline (middle), that points sideways',
    'src/store/store.ts imports src/cli/main.ts: store (bottom) may not import cli (top), that points up',
  ]);
});
