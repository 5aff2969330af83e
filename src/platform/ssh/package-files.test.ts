// The runtime files shipped to a host: the bundle and the bundle's externals, nothing the bundle holds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BUNDLE_EXTERNALS, productionDependencies } from './package-files.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

test('the shipped dependencies are exactly the ones scripts/bundle.mjs leaves external', () => {
  const script = readFileSync(join(ROOT, 'scripts', 'bundle.mjs'), 'utf8');
  const external = /external:\s*\[([^\]]*)\]/.exec(script)?.[1];
  assert.ok(external, 'scripts/bundle.mjs names its externals');
  const names = [...external.matchAll(/'([^']+)'/g)].map((m) => m[1]);
  assert.deepEqual([...names].sort(), [...BUNDLE_EXTERNALS].sort());
});

test('the walk starts from the externals only and follows their own dependencies', () => {
  const places = productionDependencies(ROOT, BUNDLE_EXTERNALS).map((d) => d.place);
  assert.ok(places.includes('node_modules/better-sqlite3'));
  assert.ok(places.includes('node_modules/bindings'), 'a dependency of better-sqlite3');
  assert.ok(!places.includes('node_modules/zod'), 'zod is inside the bundle');
  assert.ok(!places.includes('node_modules/fastify'), 'fastify is inside the bundle');
  const all = productionDependencies(ROOT).map((d) => d.place);
  assert.ok(all.includes('node_modules/zod'), 'without a limit every production dependency is walked');
});
