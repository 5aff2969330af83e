/**
 * Flag definitions, versioned in the event log: every change is a `flag.changed` event with its
 * actor, the flag's whole new definition and its version number, so the history of a flag is
 * its events and a rollback records an earlier definition again as a new version. The flags
 * slipway.yaml declares are recorded when they differ from what the file last declared.
 */
import { isDeepStrictEqual } from 'node:util';
import type { StoredEvent } from '../../store/event-records.js';
import type { Store } from '../../store/store.js';
import { FlagError } from '../errors.js';
import { flagOf, withFlag } from '../flag-changes.js';
import type { FlagDefinition, FlagDocument } from '../flag-document.js';
import type { FlagSnapshot } from '../flag-engine.js';

/** Where a change came from. */
export type FlagChangeSource = 'config' | 'cli' | 'api' | 'rollout';

/** One version of one flag; `definition` null means the flag was removed. */
export interface FlagVersion {
  readonly flag: string;
  readonly version: number;
  readonly definition: FlagDefinition | null;
  readonly actor: string;
  readonly time: number;
  /** What the change was: `declared`, `set`, `enable`, `disable`, `weights`, `rollback`, `rollout` ... */
  readonly change: string;
  readonly source: FlagChangeSource;
  /** The event that recorded it: later changes have larger ids. */
  readonly eventId: number;
}

/** A change to record. */
export interface FlagChange {
  readonly actor: string;
  readonly change: string;
  readonly source: FlagChangeSource;
  /** Free-form details kept with the event (e.g. a rollout's stage). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The versioned flag definitions of one project's store. */
export class FlagVersions {
  constructor(private readonly store: Store) {}

  /** Every version of `flag` (of every flag when absent), oldest first. */
  async history(flag?: string): Promise<FlagVersion[]> {
    const events = await this.store.listEvents({ types: ['flag.changed'] });
    return events.map(versionOf).filter((v) => flag === undefined || v.flag === flag);
  }

  /** The latest version of each flag ever recorded, removed ones included. */
  async latest(): Promise<Map<string, FlagVersion>> {
    const out = new Map<string, FlagVersion>();
    for (const v of await this.history()) out.set(v.flag, v);
    return out;
  }

  /**
   * The flag set to serve: the latest definition of every flag not removed, with `base`'s
   * `$evaluators` and metadata; its version is the id of the last change (0 when none).
   */
  async snapshot(base: Omit<FlagDocument, 'flags'> = {}): Promise<FlagSnapshot> {
    const latest = await this.latest();
    const flags: Record<string, FlagDefinition> = {};
    let version = 0;
    for (const v of latest.values()) {
      version = Math.max(version, v.eventId);
      if (v.definition) flags[v.flag] = v.definition;
    }
    return { version, document: { ...base, flags } };
  }

  /** Records `definition` (null: removal) as the next version of `flag`. */
  async record(flag: string, definition: FlagDefinition | null, change: FlagChange): Promise<FlagVersion> {
    const previous = (await this.history(flag)).at(-1);
    const version = (previous?.version ?? 0) + 1;
    const event = await this.store.appendEvent({
      type: 'flag.changed',
      actor: change.actor,
      subject: flag,
      data: {
        flag,
        version,
        definition,
        change: change.change,
        source: change.source,
        ...(previous ? { previousVersion: previous.version } : {}),
        ...(change.details ? { details: change.details } : {}),
      },
    });
    return versionOf(event);
  }

  /**
   * Records the flags slipway.yaml declares where they differ from what it last declared (a flag
   * it no longer declares is removed); changes made since by hand stay until the file changes
   * that flag. Returns the versions recorded.
   */
  async syncDeclared(declared: FlagDocument, actor: string): Promise<FlagVersion[]> {
    const all = await this.history();
    const lastDeclared = new Map<string, FlagVersion>();
    const latest = new Map<string, FlagVersion>();
    for (const v of all) {
      latest.set(v.flag, v);
      if (v.source === 'config') lastDeclared.set(v.flag, v);
    }
    const recorded: FlagVersion[] = [];
    for (const [flag, definition] of Object.entries(declared.flags)) {
      const before = lastDeclared.get(flag);
      if (before && sameDefinition(before.definition, definition)) continue;
      recorded.push(await this.record(flag, definition, { actor, change: 'declared', source: 'config' }));
    }
    for (const [flag, before] of lastDeclared) {
      if (Object.hasOwn(declared.flags, flag) || before.definition === null) continue;
      if (latest.get(flag)?.definition === null) continue;
      recorded.push(await this.record(flag, null, { actor, change: 'undeclared', source: 'config' }));
    }
    return recorded;
  }

  /** The definition `flag` had at `version`, or FLAG_VERSION_UNKNOWN. */
  async at(flag: string, version: number): Promise<FlagVersion> {
    const found = (await this.history(flag)).find((v) => v.version === version);
    if (!found) throw new FlagError('FLAG_VERSION_UNKNOWN', `flag '${flag}' has no version ${version}`);
    return found;
  }

  /** The latest version of `flag` while it exists (not removed), or FLAG_UNKNOWN naming the flags there are. */
  async current(flag: string): Promise<FlagVersion> {
    const latest = await this.latest();
    const found = latest.get(flag);
    if (found?.definition) return found;
    const flags: Record<string, FlagDefinition> = {};
    for (const v of latest.values()) if (v.definition) flags[v.flag] = v.definition;
    flagOf({ flags }, flag);
    throw new FlagError('FLAG_UNKNOWN', `no flag '${flag}'`);
  }

  /**
   * Records `next` as the next version of `flag` of `set`, checked against flagd's schema within
   * the set first (a refused change records nothing), unless it is the flag's definition already.
   */
  async change(
    set: FlagDocument,
    flag: string,
    next: FlagDefinition,
    change: FlagChange,
  ): Promise<{ readonly flag: FlagVersion; readonly changed: boolean }> {
    withFlag(set, flag, next);
    const current = Object.hasOwn(set.flags, flag) ? set.flags[flag] : undefined;
    if (current !== undefined && sameDefinition(current, next))
      return { flag: await this.current(flag), changed: false };
    return { flag: await this.record(flag, next, change), changed: true };
  }

  /**
   * Brings back an earlier definition of `flag` as a new version: `to`, or the one before the
   * current version when absent. With the current `set`, an unknown flag is named against it and
   * a definition that no longer fits it is refused.
   */
  async rollback(
    flag: string,
    to: number | undefined,
    change: Omit<FlagChange, 'change'>,
    set?: FlagDocument,
  ): Promise<FlagVersion> {
    const versions = await this.history(flag);
    const current = versions.at(-1);
    if (!current) {
      if (set) flagOf(set, flag);
      throw new FlagError('FLAG_UNKNOWN', `no flag '${flag}' has been recorded`);
    }
    const target = to === undefined ? versions.at(-2) : versions.find((v) => v.version === to);
    // A definition that no longer fits the set (an evaluator it names is gone) is refused before anything is recorded.
    if (set && target?.definition) withFlag(set, flag, target.definition);
    if (!target)
      throw new FlagError(
        'FLAG_VERSION_UNKNOWN',
        to === undefined
          ? `flag '${flag}' has only version ${current.version}: there is no earlier one to roll back to`
          : `flag '${flag}' has no version ${to} (versions 1 to ${current.version})`,
      );
    if (target.version === current.version)
      throw new FlagError('FLAG_CHANGE_CONFLICT', `flag '${flag}' is already at version ${current.version}`);
    return this.record(flag, target.definition, {
      ...change,
      change: 'rollback',
      details: { ...(change.details ?? {}), to: target.version, from: current.version },
    });
  }
}

// Compared as stored: through JSON, so a declared definition holding `undefined` keys (or objects
// without a prototype) equals the one the event log gave back.
function sameDefinition(stored: FlagDefinition | null, declared: FlagDefinition): boolean {
  return isDeepStrictEqual(stored, JSON.parse(JSON.stringify(declared)));
}

function versionOf(event: StoredEvent): FlagVersion {
  const d = event.data as {
    flag: string;
    version: number;
    definition: FlagDefinition | null;
    change: string;
    source: FlagChangeSource;
  };
  return {
    flag: d.flag,
    version: d.version,
    definition: d.definition,
    actor: event.actor,
    time: event.time,
    change: d.change,
    source: d.source,
    eventId: event.id,
  };
}
