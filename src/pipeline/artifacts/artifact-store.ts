/**
 * Content-addressed artifacts under `<projectDir>/.slipway/artifacts/`: files are stored once per
 * content at `objects/<sha256[0..2]>/<sha256>` and described by a manifest of paths and modes.
 */
import { randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { glob } from 'tinyglobby';
import { PRIVATE_DIR_MODE } from '../../state-files/private-modes.js';
import { assertPatternsInside, globOptions, isOutside, planGlob } from './artifact-patterns.js';
import { ArtifactError, toArtifactError } from './errors.js';
import { copyHashing, hashFile } from './file-hash.js';

/** One stored file: where it goes, what it holds, and its permission bits. */
export interface ArtifactFile {
  /** Path relative to the directory it was collected from, with `/` separators. */
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  /** Permission bits (`mode & 0o777`). */
  readonly mode: number;
}

/** The files of an artifact, sorted by path. */
export interface ArtifactManifest {
  readonly files: readonly ArtifactFile[];
  readonly totalBytes: number;
}

/** Outcome of checking a manifest's objects; lists hold manifest paths. */
export interface ArtifactVerification {
  readonly ok: boolean;
  readonly missing: readonly string[];
  readonly corrupt: readonly string[];
}

/** Collects, materializes and verifies artifacts in one object store. */
export interface ArtifactStore {
  /** Stores every regular file matching `patterns` (relative to `cwd`) and returns its manifest. */
  collect(patterns: readonly string[], cwd: string): Promise<ArtifactManifest>;
  /** Writes the manifest's files into `cwd`, leaving files whose content already matches. */
  materialize(manifest: ArtifactManifest, cwd: string): Promise<{ written: number; unchanged: number }>;
  /** Checks that every object of the manifest exists and hashes to its name. */
  verify(manifest: ArtifactManifest): Promise<ArtifactVerification>;
}

/** Where a project's artifacts live: `<projectDir>/.slipway/artifacts`. */
export function artifactsRoot(projectDir: string): string {
  return join(projectDir, '.slipway', 'artifacts');
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Creates an artifact store rooted at `options.root` (normally `artifactsRoot(projectDir)`). */
export function createArtifactStore(options: { readonly root: string }): ArtifactStore {
  const { root } = options;
  const objectPath = (sha256: string) => join(root, 'objects', sha256.slice(0, 2), sha256);

  async function collect(patterns: readonly string[], cwd: string): Promise<ArtifactManifest> {
    assertPatternsInside(patterns, cwd);
    const plan = planGlob(patterns);
    try {
      if (plan.include.length === 0) return { files: [], totalBytes: 0 };
      const matches = [...new Set(await glob([...plan.include], globOptions(cwd, plan)))].sort();
      const realCwd = await realpath(cwd);
      const files: ArtifactFile[] = [];
      for (const rel of matches) {
        const file = await storeFile(cwd, realCwd, rel);
        if (file !== undefined) files.push(file);
      }
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      return { files, totalBytes: files.reduce((sum, file) => sum + file.size, 0) };
    } catch (error) {
      throw toArtifactError(error, `could not collect artifacts from '${cwd}'`);
    }
  }

  async function storeFile(cwd: string, realCwd: string, rel: string): Promise<ArtifactFile | undefined> {
    const source = join(cwd, rel);
    // A matched symlink is stored as its target's content, but only when that target is ours.
    if (isOutside(relative(realCwd, await realpath(source)))) {
      throw new ArtifactError(
        'ARTIFACT_PATH_OUTSIDE',
        `artifact '${rel}' links outside the working directory`,
      );
    }
    const info = await stat(source);
    if (!info.isFile()) return undefined;
    const { sha256, size } = await hashFile(source);
    const target = objectPath(sha256);
    if (!(await exists(target))) {
      await mkdir(join(root, 'tmp'), { recursive: true, mode: PRIVATE_DIR_MODE });
      const temp = join(root, 'tmp', randomUUID());
      try {
        const copied = await copyHashing(source, temp);
        if (copied.sha256 !== sha256) {
          throw new ArtifactError(
            'ARTIFACT_FILE_CHANGED',
            `artifact '${rel}' changed while it was collected`,
          );
        }
        await mkdir(dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
        // Same name means same content, so losing a rename race to another collector is harmless.
        await rename(temp, target);
      } finally {
        await rm(temp, { force: true });
      }
    }
    return { path: rel.split(sep).join('/'), sha256, size, mode: info.mode & 0o777 };
  }

  async function materialize(
    manifest: ArtifactManifest,
    cwd: string,
  ): Promise<{ written: number; unchanged: number }> {
    let written = 0;
    let unchanged = 0;
    try {
      await mkdir(cwd, { recursive: true });
      const realCwd = await realpath(cwd);
      for (const file of manifest.files) {
        const dest = await destination(cwd, realCwd, file);
        if (await sameContent(dest, file)) {
          if (((await stat(dest)).mode & 0o777) !== file.mode) await chmod(dest, file.mode);
          unchanged++;
          continue;
        }
        await writeObject(file, dest);
        written++;
      }
      return { written, unchanged };
    } catch (error) {
      throw toArtifactError(error, `could not materialize artifacts into '${cwd}'`);
    }
  }

  async function writeObject(file: ArtifactFile, dest: string): Promise<void> {
    const object = objectPath(file.sha256);
    if (!(await exists(object))) {
      throw new ArtifactError(
        'ARTIFACT_OBJECT_MISSING',
        `object ${file.sha256} of '${file.path}' is missing`,
      );
    }
    await mkdir(dirname(dest), { recursive: true });
    // The temp file sits next to the destination so the final rename stays on one file system.
    const temp = join(dirname(dest), `.slipway-${randomUUID()}.tmp`);
    try {
      const copied = await copyHashing(object, temp);
      if (copied.sha256 !== file.sha256) {
        throw new ArtifactError(
          'ARTIFACT_OBJECT_CORRUPT',
          `object ${file.sha256} of '${file.path}' is corrupt`,
        );
      }
      await chmod(temp, file.mode);
      await rename(temp, dest);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async function verify(manifest: ArtifactManifest): Promise<ArtifactVerification> {
    const missing: string[] = [];
    const corrupt: string[] = [];
    const checked = new Map<string, 'ok' | 'missing' | 'corrupt'>();
    try {
      for (const file of manifest.files) {
        assertSha(file);
        let state = checked.get(file.sha256);
        if (state === undefined) {
          const object = objectPath(file.sha256);
          state = !(await exists(object))
            ? 'missing'
            : (await hashFile(object)).sha256 === file.sha256
              ? 'ok'
              : 'corrupt';
          checked.set(file.sha256, state);
        }
        if (state === 'missing') missing.push(file.path);
        if (state === 'corrupt') corrupt.push(file.path);
      }
      return { ok: missing.length === 0 && corrupt.length === 0, missing, corrupt };
    } catch (error) {
      throw toArtifactError(error, 'could not verify artifacts');
    }
  }

  return { collect, materialize, verify };
}

/** Resolves a manifest path under `cwd`, refusing paths or symlinked parents that lead outside. */
async function destination(cwd: string, realCwd: string, file: ArtifactFile): Promise<string> {
  assertSha(file);
  const rel = relative(cwd, join(cwd, file.path));
  if (rel === '' || isOutside(rel) || file.path.startsWith('/')) {
    throw new ArtifactError(
      'ARTIFACT_PATH_OUTSIDE',
      `artifact path '${file.path}' is outside the working directory`,
    );
  }
  let dir = dirname(join(cwd, rel));
  for (;;) {
    try {
      const real = await realpath(dir);
      if (isOutside(relative(realCwd, real))) {
        throw new ArtifactError(
          'ARTIFACT_PATH_OUTSIDE',
          `artifact path '${file.path}' leads outside the working directory`,
        );
      }
      return join(cwd, rel);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      dir = dirname(dir);
    }
  }
}

function assertSha(file: ArtifactFile): void {
  if (!SHA256_HEX.test(file.sha256)) {
    throw new ArtifactError(
      'ARTIFACT_MANIFEST_INVALID',
      `'${file.path}' has an invalid sha256 '${file.sha256}'`,
    );
  }
}

/** True when `path` is a regular file with the manifest's size and digest. */
async function sameContent(path: string, file: ArtifactFile): Promise<boolean> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (!info.isFile() || info.size !== file.size) return false;
  return (await hashFile(path)).sha256 === file.sha256;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
