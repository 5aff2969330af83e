/**
 * Revisions of the memory platform: content-addressed like every platform's (the source folder is
 * read, never copied), kept in memory with their pins.
 */
import { PlatformError } from '../../src/platform/errors.js';
import type { Revision, RevisionInput, StoredRevision } from '../../src/platform/platform.js';
import { fingerprintRevision, type RevisionConfig } from '../../src/platform/revision-fingerprint.js';

/** A revision with what its instances run. */
export interface MemoryRevision extends Revision {
  readonly config: RevisionConfig;
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
    const { config, digest, id, sourceDir } = fingerprintRevision(service, input.baseDir);
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
