/**
 * Builds a shipped revision's tree on its host, in the agent's own process: the same layout and
 * checks as the install script's tree step (ssh/ship-scripts.ts), which host setup still uses
 * before any agent runs there. Under the host's folder D:
 *
 *   D/objects/<sha256>           a blob verified when it was received (0400); `.x` twin 0500
 *   D/revisions/<digest>/...     the tree: hard links to the blobs (copies where a link fails)
 *   D/revisions/<digest>/.complete   written last, once the tree on disk matched the digest
 *
 * Done here, a deploy's tree costs no process on the host; the script forks a few per file.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { PlatformError } from '../../errors.js';
import { comparePaths, manifestLine } from '../../ssh/revision-manifest.js';

const HASH = /^[0-9a-f]{64}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/** One line of a canonical manifest. */
interface TreeFile {
  readonly sha256: string;
  readonly executable: boolean;
  readonly path: string;
}

/** True once `D/revisions/<digest>` is complete. */
export function hasTree(hostDir: string, digest: string): boolean {
  return existsSync(join(hostDir, 'revisions', digest, '.complete'));
}

/**
 * Makes `D/revisions/<digest>` from the canonical manifest `text` and the blobs in `D/objects`,
 * verifies the tree it made against the digest, and marks it complete. Refuses a text that is not
 * the digest's, a path that could leave the tree, and a blob the host lacks; leaves nothing half
 * made. A tree already complete is left as it is.
 */
export function buildHostTree(hostDir: string, digest: string, text: string): void {
  if (!HASH.test(digest)) throw bad(`not a revision digest: ${digest}`);
  if (sha256(text) !== digest) throw bad(`the manifest sent is not the one of revision ${digest}`);
  if (hasTree(hostDir, digest)) return;
  const files = parse(text);
  const objects = join(hostDir, 'objects');
  for (const file of files) {
    if (!existsSync(join(objects, file.sha256)))
      throw new PlatformError(
        'REVISION_NOT_FOUND',
        `blob ${file.sha256} of revision ${digest} is not on this host`,
      );
  }
  const staging = join(hostDir, 'staging', `tree-${process.pid}-${randomBytes(6).toString('hex')}`);
  const tree = join(staging, 'tree');
  mkdirSync(tree, { recursive: true, mode: 0o700 });
  try {
    for (const file of files) {
      const source = file.executable
        ? executableTwin(objects, file.sha256, staging)
        : join(objects, file.sha256);
      const target = join(tree, file.path);
      mkdirSync(join(target, '..'), { recursive: true, mode: 0o700 });
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
        chmodSync(target, file.executable ? 0o500 : 0o400);
      }
    }
    const got = sha256(
      treeFiles(tree)
        .sort((a, b) => comparePaths(a.path, b.path))
        .map(manifestLine)
        .join(''),
    );
    if (got !== digest)
      throw new PlatformError('BAD_REQUEST', `the tree built for ${digest} has digest ${got}`);
    const final = join(hostDir, 'revisions', digest);
    if (hasTree(hostDir, digest)) return;
    mkdirSync(join(hostDir, 'revisions'), { recursive: true, mode: 0o700 });
    rmSync(final, { recursive: true, force: true });
    renameSync(tree, final);
    const mark = join(staging, 'complete');
    writeFileSync(mark, `${digest}\n`, { mode: 0o600 });
    renameSync(mark, join(final, '.complete'));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The manifest's lines, every path checked to stay inside the tree. */
function parse(text: string): TreeFile[] {
  const files: TreeFile[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [sha, mark, ...rest] = line.split(' ');
    const path = rest.join(' ');
    const segments = path.split('/');
    if (
      sha === undefined ||
      !HASH.test(sha) ||
      (mark !== 'x' && mark !== '-') ||
      path === '' ||
      UNSAFE.test(path) ||
      segments.some((s) => s === '' || s === '.' || s === '..')
    )
      throw bad(`a manifest line is not a file of the tree: ${JSON.stringify(line.slice(0, 200))}`);
    files.push({ sha256: sha, executable: mark === 'x', path });
  }
  return files;
}

/** The executable twin of a blob (`<sha256>.x`, 0500), made once from the blob. */
function executableTwin(objects: string, hash: string, staging: string): string {
  const twin = join(objects, `${hash}.x`);
  if (!existsSync(twin)) {
    const copy = join(staging, 'x');
    copyFileSync(join(objects, hash), copy);
    chmodSync(copy, 0o500);
    renameSync(copy, twin);
  }
  return twin;
}

/** Every regular file under `tree` with its hash and executable bit, as the manifest lists them. */
function treeFiles(tree: string): TreeFile[] {
  const files: TreeFile[] = [];
  const pending = [''];
  while (pending.length > 0) {
    const rel = pending.pop() as string;
    for (const name of readdirSync(join(tree, rel))) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const stat = lstatSync(join(tree, path));
      if (stat.isDirectory()) pending.push(path);
      else if (stat.isFile())
        files.push({
          path,
          executable: (stat.mode & 0o100) !== 0,
          sha256: sha256(readFileSync(join(tree, path))),
        });
    }
  }
  return files;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function bad(message: string): PlatformError {
  return new PlatformError('BAD_REQUEST', message);
}
