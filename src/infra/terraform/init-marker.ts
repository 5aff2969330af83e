/**
 * When `terraform init` can be skipped: a working directory initialized for exactly the
 * configuration files it has now. Init installs modules and providers and sets the backend, all
 * named in the `.tf` files and the lock file; while none of them changed, a second init does
 * nothing but cost a few hundred milliseconds on every plan (measured in bench:infra).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MARKER = join('.terraform', 'slipway-init');

function configFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (entry.name === '.terraform' || entry.name.startsWith('.git')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) configFiles(path, out);
    else if (/\.tf(\.json)?$/.test(entry.name) || entry.name === '.terraform.lock.hcl') out.push(path);
  }
  return out;
}

/** The digest of a configuration's files (every `.tf`, `.tf.json` and the lock file, below `dir`). */
export function configDigest(dir: string): string {
  const hash = createHash('sha256');
  for (const file of configFiles(dir)) hash.update(`${file}\0`).update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** True when `dir` was initialized by Slipway for the files it holds now. */
export function initIsCurrent(dir: string): boolean {
  const marker = join(dir, MARKER);
  if (!existsSync(marker)) return false;
  try {
    return readFileSync(marker, 'utf8') === configDigest(dir);
  } catch {
    return false;
  }
}

/** Records that `dir` is initialized for its current files. */
export function markInitialized(dir: string): void {
  try {
    // A configuration with built-in providers only leaves no .terraform behind; the marker makes one.
    mkdirSync(join(dir, '.terraform'), { recursive: true });
    writeFileSync(join(dir, MARKER), configDigest(dir));
  } catch {
    // Without the marker the next plan runs init again: slower, never wrong.
  }
}
