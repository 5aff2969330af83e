/**
 * What makes a revision: the digest of a service's resolved config and the files of its source
 * folder. Every platform addresses revisions by it, so the same content gets the same id anywhere.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedService } from '../config/resolved.js';
import { PlatformError } from './errors.js';

/** Folders never part of a revision: version control, Slipway's state, installed dependencies. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['.git', '.slipway', 'node_modules']);
/** Files at the source root that are not part of it: the config, whose service part is hashed on its own. */
export const SKIPPED_AT_ROOT: ReadonlySet<string> = new Set(['slipway.yaml', 'slipway.yml']);
/**
 * The part of a service's resolved config that defines a revision, with the version of each of
 * its secrets' values (never a value).
 */
export type RevisionConfig = Omit<ResolvedService, 'path' | 'source' | 'id' | 'dependsOn'> & {
  readonly secretVersions?: Readonly<Record<string, string>>;
};

/** One entry of a revision's source: a file, a folder or a symlink, with its content digest. */
export interface SourceFile {
  readonly rel: string;
  readonly kind: 'file' | 'dir' | 'link';
  readonly mode: string;
  readonly digest: string;
}

/** Every file under `root` in a stable order, with a content digest (link target for symlinks). */
function listFiles(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (rel: string): void => {
    const names = readdirSync(join(root, rel)).sort();
    for (const name of names) {
      if (SKIPPED_FOLDERS.has(name) || (rel === '' && SKIPPED_AT_ROOT.has(name))) continue;
      const childRel = rel ? `${rel}/${name}` : name;
      const full = join(root, childRel);
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) {
        out.push({ rel: childRel, kind: 'link', mode: '-', digest: readlinkSync(full) });
      } else if (stat.isDirectory()) {
        out.push({ rel: childRel, kind: 'dir', mode: '-', digest: '-' });
        walk(childRel);
      } else if (stat.isFile()) {
        const digest = createHash('sha256').update(readFileSync(full)).digest('hex');
        out.push({ rel: childRel, kind: 'file', mode: stat.mode & 0o111 ? 'x' : '-', digest });
      }
    }
  };
  walk('');
  return out;
}

/** JSON with object keys sorted, so equal configs hash equally. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) sorted[key] = canonical(item);
    }
    return sorted;
  }
  return value;
}

/** A service's revision as content: its config, its source files, their digest and the id. */
export interface RevisionFingerprint {
  readonly config: RevisionConfig;
  readonly files: readonly SourceFile[];
  readonly sourceDir: string;
  readonly digest: string;
  readonly id: string;
}

/**
 * Fingerprints the service's source (relative to `baseDir`) and config, with `secretVersions`
 * when the service has secrets; throws SOURCE_NOT_FOUND.
 */
export function fingerprintRevision(
  service: ResolvedService,
  baseDir: string,
  secretVersions?: Readonly<Record<string, string>>,
): RevisionFingerprint {
  const sourceDir = resolve(baseDir, service.source);
  if (!existsSync(sourceDir) || !statSync(sourceDir).isDirectory()) {
    throw new PlatformError(
      'SOURCE_NOT_FOUND',
      `service ${service.id}: source ${sourceDir} is not a directory`,
    );
  }
  const { path: _path, source: _source, id: _id, dependsOn: _dependsOn, ...rest } = service;
  const config: RevisionConfig =
    service.secrets && secretVersions ? { ...rest, secretVersions: { ...secretVersions } } : rest;
  const files = listFiles(sourceDir);
  const hash = createHash('sha256');
  hash.update(`${JSON.stringify(canonical(config))}\n`);
  for (const file of files) hash.update(`${file.kind} ${file.mode} ${file.digest} ${file.rel}\n`);
  const digest = hash.digest('hex');
  return { config, files, sourceDir, digest, id: `r-${digest.slice(0, 12)}` };
}

/** The id the service's current source and config (and secret versions) would get, without writing anything. */
export function revisionIdOf(
  service: ResolvedService,
  baseDir: string,
  secretVersions?: Readonly<Record<string, string>>,
): string {
  return fingerprintRevision(service, baseDir, secretVersions).id;
}
