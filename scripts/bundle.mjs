// Bundles the compiled CLI (dist/cli/main.js) into dist/bundle/, one file per lazily loaded
// command: loading a few files instead of hundreds of modules is most of a fast start.
// Native and optional drivers (better-sqlite3, pg) stay external.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg'],
  banner: {
    js: "import { createRequire as __slipwayRequire } from 'node:module'; const require = __slipwayRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
