/**
 * The permissions of what Slipway keeps under a state folder (`.slipway/`): the database holds logs
 * and approvals and `secrets.env` sits beside it, so only the owner may enter a folder or read a file.
 */
import { chmodSync, lstatSync } from 'node:fs';
import { chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Mode of every folder Slipway creates under a state folder: owner only. */
export const PRIVATE_DIR_MODE = 0o700;

/** Mode of every file Slipway creates under a state folder: owner read and write. */
export const PRIVATE_FILE_MODE = 0o600;

/** Mode of a file whose copy must stay runnable (a script in a revision): owner only, with execute. */
export const PRIVATE_EXEC_MODE = 0o700;

/** The private mode of a copy of a file with `sourceMode`: executable copies keep the owner's execute bit. */
export function privateModeOf(sourceMode: number): number {
  return sourceMode & 0o111 ? PRIVATE_EXEC_MODE : PRIVATE_FILE_MODE;
}

/** A mode argument only applies to what open or mkdir creates: this is for what already exists. */
function isLooser(actual: number, wanted: number): boolean {
  return (actual & 0o777) !== wanted;
}

/** Ignored on purpose: the path went away, or it belongs to another user who set it up that way. */
function isIgnorable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EPERM';
}

/**
 * Gives an existing file or folder `mode` (a folder or file an older Slipway made, or one a library
 * created without taking a mode, such as SQLite's database). A missing path is left alone.
 */
export function tightenSync(path: string, mode: number): void {
  try {
    const info = lstatSync(path);
    if (!info.isSymbolicLink() && isLooser(info.mode, mode)) chmodSync(path, mode);
  } catch (error) {
    if (!isIgnorable(error)) throw error;
  }
}

/**
 * Makes a copied tree private: folders 0700, files 0600 (0700 when executable). Symbolic links are
 * left as they are: their own mode is never checked, and following one could reach outside the tree.
 */
export async function tightenTree(root: string): Promise<void> {
  const info = await lstat(root);
  if (info.isSymbolicLink()) return;
  if (info.isDirectory()) {
    if (isLooser(info.mode, PRIVATE_DIR_MODE)) await chmod(root, PRIVATE_DIR_MODE);
    for (const name of await readdir(root)) await tightenTree(join(root, name));
    return;
  }
  const wanted = privateModeOf(info.mode);
  if (isLooser(info.mode, wanted)) await chmod(root, wanted);
}
