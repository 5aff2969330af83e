/**
 * Release assets, stored content-addressed under `.slipway/assets/sha256/<hex>` and listed per
 * release in a `SHA256SUMS` file (the `sha256sum` format). Every copy out is checked against it.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { PRIVATE_DIR_MODE, privateModeOf } from '../state-files/private-modes.js';
import { ReleaseError } from './errors.js';

/** One stored asset of a release. */
export interface AssetEntry {
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
}

/** The content-addressed path of a blob. */
export function blobPath(stateDir: string, sha256: string): string {
  return join(stateDir, 'assets', 'sha256', sha256);
}

/** SHA-256 of a file, hex. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Copies each file into the blob store (once per content) and returns its entry. */
export function storeAssets(
  stateDir: string,
  files: readonly { readonly name: string; readonly path: string }[],
): AssetEntry[] {
  return files.map(({ name, path }) => {
    const sha256 = sha256File(path);
    const blob = blobPath(stateDir, sha256);
    if (!existsSync(blob)) {
      mkdirSync(dirname(blob), { recursive: true, mode: PRIVATE_DIR_MODE });
      const partial = `${blob}.${process.pid}.partial`;
      copyFileSync(path, partial);
      // The copy took the asset's mode: the blob keeps the owner's bits, execute included.
      chmodSync(partial, privateModeOf(statSync(partial).mode));
      renameSync(partial, blob);
    }
    return { name, sha256, size: statSync(path).size };
  });
}

/** The SHA256SUMS text of `assets`. */
export function formatSums(assets: readonly AssetEntry[]): string {
  return assets.map((a) => `${a.sha256}  ${a.name}\n`).join('');
}

/** Reads a SHA256SUMS text back into name -> hex. */
export function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}

/**
 * Copies every asset listed in `sums` to `outDir`, hashing each copy; a copy whose hash differs is
 * deleted and the download fails with ASSET_CORRUPTED naming it. Returns the names written.
 */
export function exportAssets(stateDir: string, sums: ReadonlyMap<string, string>, outDir: string): string[] {
  const written: string[] = [];
  const corrupted: string[] = [];
  for (const [name, expected] of sums) {
    const target = normalize(join(outDir, name));
    if (name.split(/[\\/]/).includes('..') || !target.startsWith(normalize(outDir) + sep))
      throw new ReleaseError('ASSET_CORRUPTED', `refusing asset name '${name}' outside the output folder`);
    const blob = blobPath(stateDir, expected);
    if (!existsSync(blob))
      throw new ReleaseError('ASSET_MISSING', `asset ${name} is missing from the store (${blob})`);
    mkdirSync(dirname(target), { recursive: true });
    const partial = `${target}.partial`;
    // A fresh file with the usual modes (the umask applies), not the blob's owner-only ones.
    rmSync(partial, { force: true });
    writeFileSync(partial, readFileSync(blob), { mode: statSync(blob).mode & 0o111 ? 0o777 : 0o666 });
    const actual = sha256File(partial);
    if (actual !== expected) {
      rmSync(partial, { force: true });
      corrupted.push(`${name} (expected sha256 ${expected}, got ${actual})`);
      continue;
    }
    renameSync(partial, target);
    written.push(name);
  }
  if (corrupted.length > 0)
    throw new ReleaseError(
      'ASSET_CORRUPTED',
      `checksum mismatch, refused: ${corrupted.join('; ')}${written.length > 0 ? ` (verified and written: ${written.join(', ')})` : ''}`,
    );
  return written;
}
