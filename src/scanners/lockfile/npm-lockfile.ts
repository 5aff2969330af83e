/**
 * The installed packages an npm `package-lock.json` (or `npm-shrinkwrap.json`) records: lockfile
 * versions 2 and 3 through `packages` (one entry per `node_modules/...` path), version 1 through its
 * nested `dependencies`.
 */
import { readFile } from 'node:fs/promises';
import { ScanError } from '../errors.js';
import type { InstalledPackage } from '../installed-package.js';

const NODE_MODULES = 'node_modules/';

interface PackagesEntry {
  readonly name?: string;
  readonly version?: string;
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly devOptional?: boolean;
  readonly link?: boolean;
}

interface V1Entry {
  readonly version?: string;
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly dependencies?: Readonly<Record<string, V1Entry>>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The package name a `packages` key ends in: `@s/b` for `node_modules/a/node_modules/@s/b`. */
export function nameFromLockfilePath(path: string): string {
  const at = path.lastIndexOf(NODE_MODULES);
  return at < 0 ? path : path.slice(at + NODE_MODULES.length);
}

// An alias (`"x": "npm:real@1.2.3"`) is recorded in v1 as version `npm:real@1.2.3`.
function resolveAlias(name: string, version: string): { name: string; version: string } {
  if (!version.startsWith('npm:')) return { name, version };
  const spec = version.slice('npm:'.length);
  const at = spec.lastIndexOf('@');
  return at > 0 ? { name: spec.slice(0, at), version: spec.slice(at + 1) } : { name, version };
}

// The line of each `"…node_modules/…": {` key, for finding locations; npm writes one key per line.
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    const key = /^\s*"([^"]*node_modules\/[^"]*)":\s*\{/.exec(line)?.[1];
    if (key !== undefined && !lines.has(key)) lines.set(key, i + 1);
  });
  return lines;
}

function fromPackages(packages: Record<string, unknown>, file: string, text: string): InstalledPackage[] {
  const lines = keyLines(text);
  const installed: InstalledPackage[] = [];
  for (const [path, value] of Object.entries(packages)) {
    // "" is the project itself; keys without node_modules/ are workspace folders, not installed packages.
    if (!path.includes(NODE_MODULES) || !isObject(value)) continue;
    const entry = value as PackagesEntry;
    // A link points at a folder that has its own entry; the link itself installs nothing.
    if (entry.link === true || typeof entry.version !== 'string') continue;
    const line = lines.get(path);
    installed.push({
      ecosystem: 'npm',
      name: typeof entry.name === 'string' ? entry.name : nameFromLockfilePath(path),
      version: entry.version,
      file,
      path,
      ...(line === undefined ? {} : { line }),
      dev: entry.dev === true,
      optional: entry.optional === true || entry.devOptional === true,
    });
  }
  return installed;
}

function fromV1(
  dependencies: Readonly<Record<string, V1Entry>>,
  file: string,
  prefix: string,
): InstalledPackage[] {
  return Object.entries(dependencies).flatMap(([key, entry]) => {
    if (!isObject(entry)) return [];
    const path = `${prefix}${NODE_MODULES}${key}`;
    const nested = isObject(entry.dependencies)
      ? fromV1(entry.dependencies as Record<string, V1Entry>, file, `${path}/`)
      : [];
    if (typeof entry.version !== 'string') return nested;
    const { name, version } = resolveAlias(key, entry.version);
    const own: InstalledPackage = {
      ecosystem: 'npm',
      name,
      version,
      file,
      path,
      dev: entry.dev === true,
      optional: entry.optional === true,
    };
    return [own, ...nested];
  });
}

/** The installed packages of a lockfile's text; `file` is the lockfile's name in findings. */
export function parseNpmLockfile(text: string, file: string): InstalledPackage[] {
  let lock: unknown;
  try {
    lock = JSON.parse(text);
  } catch (error) {
    throw new ScanError('SCAN_LOCKFILE_INVALID', `${file}: not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!isObject(lock) || typeof lock.lockfileVersion !== 'number') {
    throw new ScanError('SCAN_LOCKFILE_INVALID', `${file}: not an npm lockfile (no "lockfileVersion")`);
  }
  if (isObject(lock.packages)) return fromPackages(lock.packages, file, text);
  if (isObject(lock.dependencies)) return fromV1(lock.dependencies as Record<string, V1Entry>, file, '');
  if (lock.lockfileVersion >= 2) return [];
  throw new ScanError('SCAN_LOCKFILE_INVALID', `${file}: lockfile version 1 without "dependencies"`);
}

/** The installed packages of the lockfile at `path`, named `file` in findings (default: `path`). */
export async function readNpmLockfile(path: string, file: string = path): Promise<InstalledPackage[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ScanError(
      'SCAN_LOCKFILE_NOT_FOUND',
      `cannot read the lockfile ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return parseNpmLockfile(text, file);
}
