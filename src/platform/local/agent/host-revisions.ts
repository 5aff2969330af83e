/**
 * The revisions of an agent on a host reached over SSH (platform/remote). A revision is shipped
 * content-addressed into `<host dir>/revisions/<digest>/` (ssh/ship-scripts.ts), next to the agent's
 * state directory `<host dir>/state`; `<state>/revisions/<service>/<id>` is pointed at that tree (a
 * fresh symlink renamed over it), where the agent finds manifest.json and source/. Shipped trees are
 * shared and never written to: a pin is kept beside them, in `<state>/pins/<service>/<id>`.
 *
 * The agent answers these itself, in its own process: placing a revision is one request on the
 * forwarded control socket instead of a Node.js started over SSH for each host and deploy.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../../state-files/private-modes.js';
import { PlatformError } from '../../errors.js';
import { type RevisionManifest, readManifest, revisionDir, serviceRevisionsDir } from '../revisions.js';
import { buildHostTree } from './host-trees.js';

/** A revision as a host has it: its manifest and, when pinned, why. */
export interface HostRevision {
  readonly manifest: RevisionManifest;
  readonly pinned?: string;
}

/** What placing a revision did: it was there already, or it was pointed and these were unlinked. */
export type PlaceAnswer = { readonly found: HostRevision } | { readonly removed: readonly string[] };

/** What to place: the revision `id` of `service` is the shipped tree `digest`. */
export interface PlaceRequest {
  readonly service: string;
  readonly id: string;
  readonly digest: string;
  /** Revisions never unlinked (those serving or starting). */
  readonly inUse: readonly string[];
  /** How many of the newest revisions are kept. */
  readonly keep: number;
  /**
   * The canonical manifest text of the tree: when the host has the blobs but not the tree, the
   * agent builds it (host-trees.ts) instead of refusing it as incomplete.
   */
  readonly manifest?: string | undefined;
}

const REVISION_ID = /^r-[0-9a-f]{12}$/;
const DIGEST = /^[0-9a-f]{64}$/;

/** The revision as the host has it, or undefined. */
export function findHostRevision(stateDir: string, service: string, id: string): HostRevision | undefined {
  checkRef(service, id);
  const manifest = manifestOf(stateDir, service, id);
  if (!manifest) return undefined;
  const pinned = readPin(stateDir, service, id);
  return pinned === undefined ? { manifest } : { manifest, pinned };
}

/** Pins a revision the host has; false when it has no such revision. */
export function pinHostRevision(stateDir: string, service: string, id: string, reason: string): boolean {
  checkRef(service, id);
  if (!manifestOf(stateDir, service, id)) return false;
  const file = pinFile(stateDir, service, id);
  mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  writeFileSync(file, `${reason}\n`, { mode: PRIVATE_FILE_MODE });
  return true;
}

/**
 * The revision as the host has it when it has it (nothing else done); else points it at the
 * complete shipped tree `digest` and unlinks all but the `keep` newest revisions of the service,
 * never one in use or pinned. A tree that is not complete is refused.
 */
export function placeHostRevision(stateDir: string, request: PlaceRequest): PlaceAnswer {
  const { service, id, digest } = request;
  checkRef(service, id);
  if (!DIGEST.test(digest)) throw new PlatformError('BAD_REQUEST', `not a revision digest: ${digest}`);
  const found = findHostRevision(stateDir, service, id);
  if (found) return { found };
  const tree = join(dirname(stateDir), 'revisions', digest);
  if (request.manifest !== undefined) buildHostTree(dirname(stateDir), digest, request.manifest);
  if (!existsSync(join(tree, '.complete')))
    throw new PlatformError(
      'REVISION_NOT_FOUND',
      `revision ${digest} is not complete under ${dirname(stateDir)}`,
    );
  const dir = revisionDir(stateDir, service, id);
  mkdirSync(dirname(dir), { recursive: true, mode: PRIVATE_DIR_MODE });
  const temporary = join(dirname(dir), `.${id}.${process.pid}`);
  rmSync(temporary, { force: true });
  symlinkSync(tree, temporary);
  renameSync(temporary, dir);

  const inUse = new Set([...request.inUse, id]);
  let names: string[] = [];
  try {
    names = readdirSync(serviceRevisionsDir(stateDir, service));
  } catch {
    // No revisions folder: nothing to prune.
  }
  const all = names
    .filter((name) => REVISION_ID.test(name))
    .map((name) => manifestOf(stateDir, service, name))
    .filter((m): m is RevisionManifest => m !== undefined)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const removed: string[] = [];
  for (const manifest of all.slice(Math.max(0, request.keep))) {
    if (inUse.has(manifest.id) || readPin(stateDir, service, manifest.id) !== undefined) continue;
    rmSync(revisionDir(stateDir, service, manifest.id), { force: true });
    removed.push(manifest.id);
  }
  return { removed };
}

/** A service name that stays one folder level down, and a revision id: nothing else names a path. */
function checkRef(service: string, id: string): void {
  if (service === '' || service === '.' || service === '..' || /[/\\\0]/.test(service))
    throw new PlatformError('BAD_REQUEST', `not a service name: ${JSON.stringify(service)}`);
  if (!REVISION_ID.test(id))
    throw new PlatformError('BAD_REQUEST', `not a revision id: ${JSON.stringify(id)}`);
}

/** The revision's manifest; undefined also for one that does not parse (a tree half written by hand). */
function manifestOf(stateDir: string, service: string, id: string): RevisionManifest | undefined {
  try {
    return readManifest(stateDir, service, id);
  } catch {
    return undefined;
  }
}

function pinFile(stateDir: string, service: string, id: string): string {
  return join(stateDir, 'pins', service, id);
}

function readPin(stateDir: string, service: string, id: string): string | undefined {
  try {
    return readFileSync(pinFile(stateDir, service, id), 'utf8').replace(/\s+$/, '');
  } catch {
    return undefined;
  }
}
