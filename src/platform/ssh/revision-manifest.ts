/**
 * A revision's manifest: every regular file of its folder with its relative path, executable bit and
 * SHA-256, and the revision digest over them, which a host recomputes from the tree it built.
 *
 * The canonical text is one line per file, `<sha256> <x|-> <path>\n`, sorted by the path's UTF-8
 * bytes (what `LC_ALL=C sort` does on the host); the digest is the SHA-256 of that text. Folders are
 * implied by paths (an empty folder is not part of a revision, as in git). The files skipped are the
 * ones revision-fingerprint.ts skips (.git, .slipway, node_modules; slipway.yaml at the root), so a
 * shipped tree holds exactly the files a revision id is made of. Sockets and fifos are skipped too.
 *
 * Symbolic links are refused (`SHIP_BAD_SOURCE`): a link's target is resolved on the host, where
 * it could point anywhere outside the verified tree. Paths holding a control character or a
 * backslash are refused as well: the host's tools would print them escaped.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
// What is never shipped is what a revision fingerprint skips: the same two sets.
import { SKIPPED_AT_ROOT, SKIPPED_FOLDERS } from '../revision-fingerprint.js';
import { ShipError } from './ship-errors.js';

/** One regular file of a revision. */
export interface ManifestFile {
  /** Relative path with `/` separators. */
  readonly path: string;
  readonly executable: boolean;
  /** Lowercase hex SHA-256 of the content. */
  readonly sha256: string;
  readonly size: number;
}

/** The files of a revision (sorted by path bytes) and their digest. */
export interface RevisionManifest {
  /** Lowercase hex SHA-256 of `manifestText(files)`. */
  readonly digest: string;
  readonly files: readonly ManifestFile[];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
const UNSAFE_NAME = /[\u0000-\u001f\u007f\\]/;

/** Orders paths by their UTF-8 bytes, as `LC_ALL=C sort` does. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The canonical line of one file. */
export function manifestLine(file: Pick<ManifestFile, 'path' | 'executable' | 'sha256'>): string {
  return `${file.sha256} ${file.executable ? 'x' : '-'} ${file.path}\n`;
}

/** The canonical text the digest is taken over (files sorted by path bytes). */
export function manifestText(files: readonly ManifestFile[]): string {
  return [...files]
    .sort((a, b) => comparePaths(a.path, b.path))
    .map(manifestLine)
    .join('');
}

/** A manifest from its files: sorted, with the digest. */
export function makeManifest(files: readonly ManifestFile[]): RevisionManifest {
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
  const digest = createHash('sha256').update(manifestText(sorted)).digest('hex');
  return { digest, files: sorted };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Lists and hashes every regular file under `dir`; throws `SHIP_BAD_SOURCE` on a symlink or bad name. */
export async function buildRevisionManifest(dir: string): Promise<RevisionManifest> {
  const bad = (message: string, path?: string): ShipError =>
    new ShipError('SHIP_BAD_SOURCE', undefined, message, path === undefined ? undefined : { paths: [path] });
  const top = await lstat(dir).catch((cause: unknown) => {
    throw new ShipError('SHIP_BAD_SOURCE', undefined, `Revision folder ${dir} cannot be read`, { cause });
  });
  if (!top.isDirectory()) throw bad(`Revision folder ${dir} is not a folder`);
  const files: ManifestFile[] = [];
  // Depth-first with an explicit stack: a folder is read once, and symlinks (never followed) cannot loop.
  const pending: string[] = [''];
  while (pending.length > 0) {
    const rel = pending.pop() as string;
    for (const name of await readdir(join(dir, rel))) {
      if (SKIPPED_FOLDERS.has(name) || (rel === '' && SKIPPED_AT_ROOT.has(name))) continue;
      const path = rel === '' ? name : `${rel}/${name}`;
      if (UNSAFE_NAME.test(name))
        throw bad(
          `Revision file ${JSON.stringify(path)} has a control character or backslash in its name`,
          path,
        );
      const stat = await lstat(join(dir, path));
      if (stat.isSymbolicLink())
        throw bad(
          `Revision file ${path} in ${dir} is a symbolic link; revisions ship regular files only (copy the target in instead)`,
          path,
        );
      if (stat.isDirectory()) pending.push(path);
      else if (stat.isFile())
        files.push({
          path,
          executable: (stat.mode & 0o111) !== 0,
          sha256: await sha256Of(join(dir, path)),
          size: stat.size,
        });
    }
  }
  return makeManifest(files);
}
