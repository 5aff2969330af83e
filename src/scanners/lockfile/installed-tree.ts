/**
 * The npm packages actually installed in a `node_modules` tree (an `npm ci --omit=dev` install in an
 * image's root filesystem): every package.json under `node_modules`, scoped packages and nested
 * `node_modules` included, symlinked (workspace) packages left out.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstalledPackage } from '../installed-package.js';

async function entriesOf(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function manifestOf(dir: string): Promise<{ name: string; version: string } | undefined> {
  try {
    const manifest: unknown = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    if (typeof manifest !== 'object' || manifest === null) return undefined;
    const { name, version } = manifest as { name?: unknown; version?: unknown };
    return typeof name === 'string' && typeof version === 'string' ? { name, version } : undefined;
  } catch {
    return undefined;
  }
}

// The package folders directly inside one node_modules folder, as paths relative to the tree's root.
async function packageDirs(root: string, modules: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const entry of await entriesOf(join(root, modules))) {
    if (entry.name.startsWith('.') || !entry.isDirectory()) continue;
    const path = `${modules}/${entry.name}`;
    if (!entry.name.startsWith('@')) dirs.push(path);
    else
      for (const scoped of await entriesOf(join(root, path)))
        if (scoped.isDirectory() && !scoped.name.startsWith('.')) dirs.push(`${path}/${scoped.name}`);
  }
  return dirs.sort();
}

/**
 * The packages installed under `root`'s `node_modules`; `fileBase` is `root` as findings should name
 * it (`usr/src/app` inside an image), so each package's file is `<fileBase>/<path>/package.json`.
 */
export async function readInstalledTree(root: string, fileBase = ''): Promise<InstalledPackage[]> {
  const installed: InstalledPackage[] = [];
  const walk = async (modules: string): Promise<void> => {
    for (const path of await packageDirs(root, modules)) {
      const manifest = await manifestOf(join(root, path));
      if (manifest !== undefined) {
        installed.push({
          ecosystem: 'npm',
          name: manifest.name,
          version: manifest.version,
          file: `${fileBase === '' ? '' : `${fileBase.replace(/\/+$/, '')}/`}${path}/package.json`,
          path,
          dev: false,
          optional: false,
        });
      }
      await walk(`${path}/node_modules`);
    }
  };
  await walk('node_modules');
  return installed;
}
