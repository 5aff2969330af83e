/**
 * The runtime files of an installed npm package, as a host needs them to run it: `bin/`, the
 * bundled program `dist/bundle/`, `package.json`, and every package the bundle leaves external
 * pulls in (found as Node.js resolves them, so a package installed under a project with hoisted
 * dependencies works too), each placed at `node_modules/...` of the tree to ship. Everything else
 * the program uses is inside the bundle, so shipping its sources and the other dependencies again
 * would only cost time: about 6,400 files and 33 MB, against a few hundred files and 8 MB.
 * devDependencies are never walked.
 *
 * Inside a dependency, nested `node_modules` are left to the walk (only the ones actually used come
 * along) and a native addon keeps only what loads at run time: in a package with a `binding.gyp`,
 * its C sources (`src/`, `deps/`) and the compiler's leftovers under `build/` (anything but `.node`
 * files) stay behind.
 */
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ShipError } from './ship-errors.js';

/** One file to ship: where it lands in the tree (`/` separators) and where it is read from. */
export interface PackageFile {
  readonly path: string;
  readonly source: string;
}

/** The entries of the package's own folder that ship (besides its runtime dependencies). */
export const PACKAGE_RUNTIME_ENTRIES = ['bin', 'dist/bundle', 'package.json'] as const;

/**
 * The dependencies the bundle leaves external (`external` in scripts/bundle.mjs: native and optional
 * drivers); the program loads only these from node_modules. A test keeps the two lists equal.
 */
export const BUNDLE_EXTERNALS = ['better-sqlite3', 'pg'] as const;

interface PackageJson {
  readonly name?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/** The folder of package `name` as Node.js finds it from `fromDir`: its own node_modules, then each parent's. */
function resolvePackage(fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    if (!dir.endsWith(`${sep}node_modules`)) {
      const candidate = join(dir, 'node_modules', name);
      if (readPackageJson(candidate) !== undefined) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Where a dependency folder lands in the shipped tree: its path below `root`, or, for one hoisted
 * above it, its path below the outermost folder whose node_modules holds it.
 */
function placeOf(root: string, dir: string): string {
  const below = relative(root, dir);
  if (!below.startsWith('..')) return below.split(sep).join('/');
  for (let above = dirname(root); ; above = dirname(above)) {
    if (dir.startsWith(join(above, 'node_modules') + sep)) return relative(above, dir).split(sep).join('/');
    if (dirname(above) === above) return below.split(sep).join('/');
  }
}

/**
 * Every production dependency folder of the package at `root`, with its place in the tree, sorted;
 * with `only`, the root's own dependencies are limited to those names (theirs are all walked).
 */
export function productionDependencies(
  root: string,
  only?: readonly string[],
): { readonly dir: string; readonly place: string }[] {
  const found = new Map<string, string>();
  const places = new Map<string, string>();
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    const pkg = readPackageJson(dir);
    if (pkg === undefined) continue;
    const optional = new Set([
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...Object.entries(pkg.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta.optional === true)
        .map(([name]) => name),
    ]);
    const names = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ]);
    for (const name of names) {
      if (dir === root && only !== undefined && !only.includes(name)) continue;
      const depDir = resolvePackage(dir, name);
      if (depDir === undefined) {
        if (optional.has(name)) continue;
        throw new ShipError(
          'SHIP_BAD_SOURCE',
          undefined,
          `Cannot find ${name}, a dependency of ${pkg.name ?? dir}, under ${dir} or any parent's node_modules; run npm install`,
        );
      }
      if (found.has(depDir)) continue;
      const place = placeOf(root, depDir);
      const other = places.get(place);
      if (other !== undefined && other !== depDir)
        throw new ShipError(
          'SHIP_BAD_SOURCE',
          undefined,
          `Two installed packages would land at ${place}: ${other} and ${depDir}; reinstall the package with its own node_modules`,
        );
      found.set(depDir, place);
      places.set(place, depDir);
      pending.push(depDir);
    }
  }
  return [...found]
    .map(([dir, place]) => ({ dir, place }))
    .sort((a, b) => (a.place < b.place ? -1 : a.place > b.place ? 1 : 0));
}

// node-gyp's intermediate folders: objects and dependency files, and a second copy of each addon.
const BUILD_LEFTOVERS: ReadonlySet<string> = new Set(['obj', 'obj.target', '.deps']);

/** Whether `rel` (below a dependency's folder) is left behind: nested node_modules, native sources and build leftovers. */
function skipped(rel: string, isDir: boolean, native: boolean): boolean {
  const parts = rel.split('/');
  if (parts.includes('node_modules')) return true;
  if (!native) return false;
  if (parts.length === 1 && isDir && (rel === 'src' || rel === 'deps')) return true;
  if (parts[0] !== 'build') return false;
  return isDir ? BUILD_LEFTOVERS.has(parts[parts.length - 1] as string) : !rel.endsWith('.node');
}

/** Regular files under `dir` (symbolic links followed to files), as paths relative to it. */
async function filesUnder(
  dir: string,
  skip: (rel: string, isDir: boolean) => boolean,
  rel = '',
): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const info = await stat(join(dir, path)).catch(() => undefined);
    if (info === undefined) continue;
    if (skip(path, info.isDirectory())) continue;
    if (info.isDirectory()) out.push(...(await filesUnder(dir, skip, path)));
    else if (info.isFile()) out.push(path);
  }
  return out;
}

/** The runtime files of the package at `root`: its own runtime entries and its production dependencies. */
export async function packageRuntimeFiles(root: string): Promise<PackageFile[]> {
  const files: PackageFile[] = [];
  for (const entry of PACKAGE_RUNTIME_ENTRIES) {
    const info = await stat(join(root, entry)).catch(() => undefined);
    if (info === undefined)
      throw new ShipError(
        'SHIP_BAD_SOURCE',
        undefined,
        `${join(root, entry)} is missing; build the package first (npm run build)`,
      );
    if (info.isFile()) files.push({ path: entry, source: join(root, entry) });
    else
      for (const rel of await filesUnder(join(root, entry), (r) => r.split('/').includes('node_modules')))
        files.push({ path: `${entry}/${rel}`, source: join(root, entry, rel) });
  }
  for (const { dir, place } of productionDependencies(root, BUNDLE_EXTERNALS)) {
    const native = (await stat(join(dir, 'binding.gyp')).catch(() => undefined)) !== undefined;
    for (const rel of await filesUnder(dir, (r, isDir) => skipped(r, isDir, native)))
      files.push({ path: `${place}/${rel}`, source: join(dir, rel) });
  }
  return files;
}
