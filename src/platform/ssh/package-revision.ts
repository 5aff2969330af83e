/**
 * Turns a package's runtime files (package-files.ts) into a revision ShipRevision can send: a
 * manifest hashed from the files themselves and a private staging folder of links to them laid out
 * as the tree to ship, so the manifest covers exactly those files and nothing is copied.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type PackageFile, packageRuntimeFiles } from './package-files.js';
import { type ManifestFile, makeManifest } from './revision-manifest.js';
import type { ShipSource } from './ship-revision.js';

/** A staged package revision; `remove()` deletes the staging folder (never the files it links to). */
export interface StagedPackage extends ShipSource {
  readonly bytes: number;
  remove(): Promise<void>;
}

const HASHING_AT_ONCE = 16;

async function describe(file: PackageFile): Promise<ManifestFile> {
  const info = await stat(file.source);
  const hash = createHash('sha256');
  await pipeline(createReadStream(file.source), hash);
  return {
    path: file.path,
    executable: (info.mode & 0o111) !== 0,
    sha256: hash.digest('hex'),
    size: info.size,
  };
}

/** Hard link when the staging folder shares the file's file system, else a symbolic link (ship reads through it). */
async function place(source: string, at: string): Promise<void> {
  await mkdir(dirname(at), { recursive: true });
  await link(source, at).catch(() => symlink(source, at));
}

/** Lists, hashes and stages the runtime files of the package at `root` under a fresh folder of `parent`. */
export async function stagePackage(root: string, parent: string = tmpdir()): Promise<StagedPackage> {
  const files = await packageRuntimeFiles(root);
  const described: ManifestFile[] = new Array(files.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(HASHING_AT_ONCE, files.length) }, async () => {
      while (next < files.length) {
        const i = next++;
        described[i] = await describe(files[i] as PackageFile);
      }
    }),
  );
  const dir = await mkdtemp(join(parent, 'slipway-package-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    for (const file of files) await place(file.source, join(dir, file.path));
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    dir,
    manifest: makeManifest(described),
    bytes: described.reduce((sum, f) => sum + f.size, 0),
    remove,
  };
}
