/**
 * Revisions of the memory platform: content-addressed over the service's config and the files of
 * its source folder (read, never copied), kept in memory with their pins.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedService } from '../../src/config/resolved.js';
import { PlatformError } from '../../src/platform/errors.js';
import type { Revision, RevisionInput, StoredRevision } from '../../src/platform/platform.js';

/** Folders never part of a revision, as on the local platform. */
const SKIPPED = new Set(['.git', '.slipway', 'node_modules']);
/** The config at the source root is hashed through the service's part only. */
const SKIPPED_AT_ROOT = new Set(['slipway.yaml', 'slipway.yml']);

/** A revision with what its instances run. */
export interface MemoryRevision extends Revision {
  readonly config: Omit<ResolvedService, 'path' | 'source' | 'id'>;
  readonly sourceDir: string;
}

/** Every revision the memory platform made, by service. */
export class MemoryRevisions {
  readonly #revisions = new Map<string, MemoryRevision>();
  readonly #pins = new Map<string, string>();

  constructor(private readonly now: () => number) {}

  /** Makes the revision of `input`, or returns the one made before from the same content. */
  create(input: RevisionInput): MemoryRevision {
    const { service } = input;
    const sourceDir = resolve(input.baseDir, service.source);
    if (!existsSync(sourceDir) || !statSync(sourceDir).isDirectory()) {
      throw new PlatformError(
        'SOURCE_NOT_FOUND',
        `service ${service.id}: source ${sourceDir} is not a directory`,
      );
    }
    const { path: _path, source: _source, id: _id, ...config } = service;
    const hash = createHash('sha256').update(`${JSON.stringify(canonical(config))}\n`);
    for (const line of sourceLines(sourceDir)) hash.update(`${line}\n`);
    const digest = hash.digest('hex');
    const id = `r-${digest.slice(0, 12)}`;
    const existing = this.#revisions.get(key(service.id, id));
    if (existing) return existing;
    const revision: MemoryRevision = {
      id,
      service: service.id,
      digest,
      createdAt: new Date(this.now()).toISOString(),
      instances: service.instances,
      config,
      sourceDir,
    };
    this.#revisions.set(key(service.id, id), revision);
    return revision;
  }

  /** The revision with its run details, or undefined. */
  get(service: string, id: string): MemoryRevision | undefined {
    return this.#revisions.get(key(service, id));
  }

  /** The revision as the contract reports it, with its pin. */
  find(service: string, id: string): StoredRevision | undefined {
    const found = this.get(service, id);
    if (!found) return undefined;
    const pinned = this.#pins.get(key(service, id));
    return { ...contractRevision(found), ...(pinned === undefined ? {} : { pinned }) };
  }

  /** Pins a revision (nothing is ever pruned here, but the pin is reported). */
  pin(service: string, id: string, reason: string): void {
    if (!this.get(service, id)) {
      throw new PlatformError('REVISION_NOT_FOUND', `service ${service} has no revision ${id}`);
    }
    this.#pins.set(key(service, id), reason);
  }
}

/** Only the contract's fields, so callers never see the config or the folder. */
export function contractRevision(revision: MemoryRevision): Revision {
  const { id, service, digest, createdAt, instances } = revision;
  return { id, service, digest, createdAt, instances };
}

function key(service: string, id: string): string {
  return `${service}\u0000${id}`;
}

/** One line per file under `root` in a stable order: kind, executable bit, content digest, path. */
function sourceLines(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      if (SKIPPED.has(name) || (rel === '' && SKIPPED_AT_ROOT.has(name))) continue;
      const childRel = rel ? `${rel}/${name}` : name;
      const full = join(root, childRel);
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) out.push(`link - ${readlinkSync(full)} ${childRel}`);
      else if (stat.isDirectory()) {
        out.push(`dir - - ${childRel}`);
        walk(childRel);
      } else if (stat.isFile()) {
        const digest = createHash('sha256').update(readFileSync(full)).digest('hex');
        out.push(`file ${stat.mode & 0o111 ? 'x' : '-'} ${digest} ${childRel}`);
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
    for (const name of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[name];
      if (item !== undefined) sorted[name] = canonical(item);
    }
    return sorted;
  }
  return value;
}
