/**
 * Revisions on disk: a content-addressed snapshot of a service's source plus its resolved config,
 * under `.slipway/revisions/<service>/<id>/`. The same content and config give the same id.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ResolvedService } from '../../config/resolved.js';
import { PRIVATE_DIR_MODE, PRIVATE_EXEC_MODE, PRIVATE_FILE_MODE } from '../../state-files/private-modes.js';
import { PlatformError } from '../errors.js';
import type { Revision } from '../platform.js';
import { fingerprintRevision, type RevisionConfig } from '../revision-fingerprint.js';

/** How many revisions of each service are kept on disk. */
export const KEPT_REVISIONS = 10;

/** What the agent needs to run a revision, stored beside its source. */
export interface RevisionManifest extends Revision {
  readonly config: RevisionConfig;
}

/** The folder holding every revision of a service. */
export function serviceRevisionsDir(stateDir: string, service: string): string {
  return join(stateDir, 'revisions', service);
}

/** The folder of one revision (its manifest.json and source/). */
export function revisionDir(stateDir: string, service: string, id: string): string {
  return join(serviceRevisionsDir(stateDir, service), id);
}

/**
 * Snapshots the service's source and config (with its secrets' versions, never their values);
 * returns the existing revision when nothing changed.
 */
export function createRevision(
  stateDir: string,
  service: ResolvedService,
  baseDir: string,
  now: () => Date = () => new Date(),
  secretVersions?: Readonly<Record<string, string>>,
): RevisionManifest {
  const { config, files, digest, id, sourceDir } = fingerprintRevision(service, baseDir, secretVersions);
  const dir = revisionDir(stateDir, service.id, id);
  const existing = readManifest(stateDir, service.id, id);
  if (existing) return existing;

  // The state directory stays out of git, whichever command creates it first.
  mkdirSync(stateDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const ignore = join(stateDir, '.gitignore');
  if (!existsSync(ignore))
    writeFileSync(ignore, '# Slipway state: revisions, agent, runs, releases\n*\n', {
      mode: PRIVATE_FILE_MODE,
    });
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'source'), { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const file of files) {
    const target = join(staging, 'source', file.rel);
    if (file.kind === 'dir') mkdirSync(target, { recursive: true, mode: PRIVATE_DIR_MODE });
    else if (file.kind === 'link') symlinkSync(file.digest, target);
    else {
      copyFileSync(join(sourceDir, file.rel), target);
      // A copy takes its source's mode; the revision keeps the owner's bits, and only the execute
      // bit its id was computed with.
      chmodSync(target, file.mode === 'x' ? PRIVATE_EXEC_MODE : PRIVATE_FILE_MODE);
    }
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
  writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, {
    mode: PRIVATE_FILE_MODE,
  });
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
  writeFileSync(join(dir, 'pinned'), `${why}\n`, { mode: PRIVATE_FILE_MODE });
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
