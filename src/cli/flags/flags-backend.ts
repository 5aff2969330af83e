/**
 * What `slipway flags` works through: the project's own store and agent, or a server's API with
 * `--server`. Both answer with the same shapes, the ones `GET /api/v1/flags...` returns, so the
 * commands print the same either way.
 */
import type { FlagDefinition } from '../../flags/flag-document.js';
import type { FlagVersion } from '../../flags/versions/flag-versions.js';
import type { PublishedFlags } from '../../platform/flag-publisher.js';

/** One change a command asks for. */
export type FlagChangeRequest =
  | { readonly kind: 'set'; readonly variant: string }
  | { readonly kind: 'weights'; readonly weights: string }
  | { readonly kind: 'define'; readonly definition: FlagDefinition }
  | { readonly kind: 'enable' }
  | { readonly kind: 'disable' }
  | { readonly kind: 'rollback'; readonly to?: number };

/** The flag set as served: its version (the id of its last change) and the latest version of each flag. */
export interface FlagList {
  readonly version: number;
  readonly flags: readonly FlagVersion[];
}

/** Where a flag set is served after a change. */
export interface FlagsServed {
  /** The version of the whole flag set now served. */
  readonly version: number;
  /** The agents that took it (none when no agent runs or the platform serves no flags). */
  readonly published: readonly PublishedFlags[];
  /** The server whose OFREP endpoints serve it (with `--server`). */
  readonly server?: string;
  /** Why it was not published, when it was not. */
  readonly note?: string;
  /** Why publishing failed, when it did: the change is recorded all the same. */
  readonly error?: string;
}

/** The answer to a change: the flag's version now, whether anything was recorded, and where it is served. */
export interface FlagChangeAnswer {
  readonly flag: FlagVersion;
  /** False when the flag already was what was asked: nothing was recorded or published. */
  readonly changed: boolean;
  readonly served: FlagsServed;
}

/** The flags of one project, wherever they are kept. */
export interface FlagsBackend {
  list(): Promise<FlagList>;
  /** The latest version of a flag that exists (FLAG_UNKNOWN otherwise). */
  get(key: string): Promise<FlagVersion>;
  /** Every version of a flag, oldest first (FLAG_UNKNOWN when it was never recorded). */
  history(key: string): Promise<readonly FlagVersion[]>;
  change(key: string, request: FlagChangeRequest): Promise<FlagChangeAnswer>;
  close(): Promise<void>;
}
