// Runs every *.test.ts under src/ and test/ with node's test runner (TypeScript through tsx), then
// prints once how to install the outside programs whose tests were skipped (test/helpers/outside-program.ts).
// Usage: node scripts/run-tests.mjs [substring-filter ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = [...walk('src', []), ...walk('test', [])]
  .sort()
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  process.stderr.write('run-tests: no test files matched\n');
  process.exit(1);
}
const missingDir = mkdtempSync(join(tmpdir(), 'slipway-tests-'));
const missingFile = join(missingDir, 'missing-programs');
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: '0', SLIPWAY_MISSING_PROGRAMS_FILE: missingFile },
  },
);
let installs = [];
try {
  installs = [
    ...new Set(
      readFileSync(missingFile, 'utf8')
        .split('\n')
        .filter((line) => line !== ''),
    ),
  ];
} catch {
  // No test found a program missing.
}
rmSync(missingDir, { recursive: true, force: true });
if (installs.length > 0) {
  process.stdout.write(
    `\nSkipped: tests that need programs from outside npm. Install them with:\n${installs
      .map((command) => `  ${command}\n`)
      .join('')}`,
  );
}
process.exit(result.status ?? 1);
