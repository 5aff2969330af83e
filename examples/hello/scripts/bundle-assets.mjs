// Copies public/ into dist/public/ and writes dist/public/manifest.json with the size and sha256
// of each file. Fails when public/ is empty or a page links to a local asset that does not exist.
// Runs in parallel with tsc, so it only ever touches dist/public/.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { CheckError, expect, root, runCheck } from './_lib.mjs';

const source = join(root, 'public');
const target = join(root, 'dist', 'public');

/** Files under dir, as sorted POSIX paths relative to it. */
function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) =>
      relative(dir, join(entry.parentPath ?? entry.path, entry.name))
        .split(sep)
        .join('/'),
    )
    .sort();
}

runCheck('bundle-assets', () => {
  if (!existsSync(source)) throw new CheckError('public/ does not exist');
  const files = listFiles(source);
  expect(files.length > 0, 'public/ has no files');
  expect(files.includes('index.html'), 'public/index.html is missing');
  expect(
    !files.includes('manifest.json'),
    'public/manifest.json would be overwritten by the generated manifest',
  );

  // Every local href/src in an HTML page must point at a bundled file.
  for (const page of files.filter((file) => file.endsWith('.html'))) {
    const html = readFileSync(join(source, page), 'utf8');
    for (const [, ref] of html.matchAll(/\s(?:href|src)="([^"]+)"/g)) {
      if (/^(?:[a-z]+:|\/\/|\/|#)/i.test(ref)) continue; // absolute URL, API route or fragment
      const resolved = posix.normalize(posix.join(posix.dirname(page), ref.split(/[?#]/)[0]));
      expect(files.includes(resolved), `public/${page} links to ${ref}, which is not in public/`);
    }
  }

  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  cpSync(source, target, { recursive: true });

  const manifest = { generatedBy: 'scripts/bundle-assets.mjs', files: {} };
  for (const file of files) {
    const bytes = readFileSync(join(target, file));
    manifest.files[file] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    console.log(`  ${file} ${bytes.length} B sha256:${manifest.files[file].sha256.slice(0, 12)}`);
  }
  writeFileSync(join(target, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`bundled ${files.length} files into dist/public/ with manifest.json`);
});
