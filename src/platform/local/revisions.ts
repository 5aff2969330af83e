/**
 * Revisions on disk: a content-addressed snapshot of a service's source plus its resolved config,
 * under `.slipway/revisions/<service>/<id>/`. The same content and config give the same id.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedService } from '../../config/resolved.js';
import { PlatformError } from '../errors.js';
import type { Revision } from '../platform.js';

/** Folders never part of a revision: version control, Slipway's state, installed dependencies. */
const SKIPPED = new Set(['.git', '.slipway', 'node_modules']);
/** Files at the source root that are not part of it: the config, whose service part is hashed on its own. */
const SKIPPED_AT_ROOT = new Set(['slipway.yaml', 'slipway.yml']);
/** How many revisions of each service are kept on disk. */
export const KEPT_REVISIONS = 10;

/** What the agent needs to run a revision, stored beside its source. */
export interface RevisionManifest extends Revision {
  readonly config: RevisionConfig;
}

/** The part of a service's resolved config that defines a revision. */
export type RevisionConfig = Omit<ResolvedService, 'path' | 'source' | 'id'>;

/** The folder holding every revision of a service. */
export function serviceRevisionsDir(stateDir: string, service: string): string {
  return join(stateDir, 'revisions', service);
}

/** The folder of one revision (its manifest.json and source/). */
export function revisionDir(stateDir: string, service: string, id: string): string {
  return join(serviceRevisionsDir(stateDir, service), id);
}

/** Snapshots the service's source and config; returns the existing revision when nothing changed. */
export function createRevision(
  stateDir: string,
  service: ResolvedService,
  baseDir: string,
  now: () => Date = () => new Date(),
): RevisionManifest {
  const sourceDir = resolve(baseDir, service.source);
  if (!existsSync(sourceDir) || !statSync(sourceDir).isDirectory()) {
    throw new PlatformError(
      'SOURCE_NOT_FOUND',
      `service ${service.id}: source ${sourceDir} is not a directory`,
    );
  }
  const { config, files, digest, id } = fingerprint(service, sourceDir);
  const dir = revisionDir(stateDir, service.id, id);
  const existing = readManifest(stateDir, service.id, id);
  if (existing) return existing;

  // The state directory stays out of git, whichever command creates it first.
  mkdirSync(stateDir, { recursive: true });
  const ignore = join(stateDir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# Slipway state: revisions, agent, runs, releases\n*\n');
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'source'), { recursive: true });
  for (const file of files) {
    const target = join(staging, 'source', file.rel);
    if (file.kind === 'dir') mkdirSync(target, { recursive: true });
    else if (file.kind === 'link') symlinkSync(file.digest, target);
    else copyFileSync(join(sourceDir, file.rel), target);
  }
  // Installed dependencies are shared with the source folder, not copied (they are not part of the id).
  const modules = join(sourceDir, 'node_modules');
  if (existsSync(modules)) symlinkSync(modules, join(staging, 'source', 'node_modules'));
  const manifest: RevisionManifest = {
    id,
    service: service.id,
    digest,
    createdAt: now().toISOString(),
    instances: service.instances,
    config,
  };
  writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  try {
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const raced = readManifest(stateDir, service.id, id);
    if (raced) return raced;
    throw error;
  }
  return manifest;
}

/** The id the service's current source and config would get, without writing anything. */
export function revisionIdOf(service: ResolvedService, baseDir: string): string {
  const sourceDir = resolve(baseDir, service.source);
  if (!existsSync(sourceDir) || !statSync(sourceDir).isDirectory()) {
    throw new PlatformError(
      'SOURCE_NOT_FOUND',
      `service ${service.id}: source ${sourceDir} is not a directory`,
    );
  }
  return fingerprint(service, sourceDir).id;
}

/** The digest over a service's config and source files. */
function fingerprint(
  service: ResolvedService,
  sourceDir: string,
): { config: RevisionConfig; files: SourceFile[]; digest: string; id: string } {
  const { path: _path, source: _source, id: _id, ...config } = service;
  const files = listFiles(sourceDir);
  const hash = createHash('sha256');
  hash.update(`${JSON.stringify(canonical(config))}\n`);
  for (const file of files) hash.update(`${file.kind} ${file.mode} ${file.digest} ${file.rel}\n`);
  const digest = hash.digest('hex');
  return { config, files, digest, id: `r-${digest.slice(0, 12)}` };
}

/** Reads a revision's manifest, or undefined when there is no such revision. */
export function readManifest(stateDir: string, service: string, id: string): RevisionManifest | undefined {
  const file = join(revisionDir(stateDir, service, id), 'manifest.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as RevisionManifest;
}

/** Every revision of a service on disk, newest first. */
export function listRevisions(stateDir: string, service: string): RevisionManifest[] {
  const dir = serviceRevisionsDir(stateDir, service);
  if (!existsSync(dir)) return [];
  const manifests: RevisionManifest[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('r-') || name.includes('.tmp-')) continue;
    const manifest = readManifest(stateDir, service, name);
    if (manifest) manifests.push(manifest);
  }
  return manifests.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Keeps a revision on disk for good (a release points at it), whatever pruning would do. */
export function pinRevision(stateDir: string, service: string, id: string, why: string): void {
  const dir = revisionDir(stateDir, service, id);
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new PlatformError('REVISION_NOT_FOUND', `service ${service} has no revision ${id}`);
  }
  writeFileSync(join(dir, 'pinned'), `${why}\n`);
}

/** Why a revision is pinned, or undefined when it is not. */
export function pinReason(stateDir: string, service: string, id: string): string | undefined {
  const file = join(revisionDir(stateDir, service, id), 'pinned');
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd() : undefined;
}

/** Deletes all but the newest `keep` revisions of a service, never one in `inUse` or pinned; returns the ids removed. */
export function pruneRevisions(
  stateDir: string,
  service: string,
  inUse: ReadonlySet<string>,
  keep = KEPT_REVISIONS,
): string[] {
  const removed: string[] = [];
  for (const manifest of listRevisions(stateDir, service).slice(keep)) {
    if (inUse.has(manifest.id) || existsSync(join(revisionDir(stateDir, service, manifest.id), 'pinned')))
      continue;
    rmSync(revisionDir(stateDir, service, manifest.id), { recursive: true, force: true });
    removed.push(manifest.id);
  }
  return removed;
}

interface SourceFile {
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
      if (SKIPPED.has(name) || (rel === '' && SKIPPED_AT_ROOT.has(name))) continue;
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
