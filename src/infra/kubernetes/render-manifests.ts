/**
 * Renders an environment's manifest directory into sources to validate: the output of
 * `kubectl kustomize` when the directory holds a kustomization, else every YAML and JSON file under
 * it, in sorted path order (hidden files and folders left out).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../errors.js';
import { type KubectlOptions, kubectlKustomize } from './kubectl-runner.js';
import type { ManifestSource } from './manifest-issue.js';

/** The file names that make a directory a kustomization, as kustomize looks for them. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** The kustomization file in `dir`, or undefined when it holds plain manifests. */
export function kustomizationIn(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
}

/** The manifests of `dir` (an absolute path), rendered; INFRA_MANIFEST_INVALID when it is missing or kustomize refuses it. */
export async function renderManifests(dir: string, options: KubectlOptions): Promise<ManifestSource[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new InfraError('INFRA_MANIFEST_INVALID', `the manifests directory ${dir} does not exist`);
  if (kustomizationIn(dir) !== undefined) {
    try {
      return [{ file: dir, origin: 'kustomize', text: await kubectlKustomize(dir, options) }];
    } catch (error) {
      if (error instanceof InfraError && error.code === 'INFRA_TOOL_FAILED' && !options.signal?.aborted)
        throw new InfraError(
          'INFRA_MANIFEST_INVALID',
          `the kustomization in ${dir} does not build: ${error.message}`,
          {
            cause: error,
          },
        );
      throw error;
    }
  }
  const files = await manifestFiles(dir);
  return Promise.all(
    files.map(async (file) => ({ file, origin: 'file' as const, text: await readFile(file, 'utf8') })),
  );
}

async function manifestFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : 1));
  const files: string[] = [];
  for (const entry of names) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await manifestFiles(path)));
    else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) files.push(path);
  }
  return files;
}
