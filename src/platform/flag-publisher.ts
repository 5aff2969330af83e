/**
 * How flags reach the hosts: a platform whose agents serve OFREP implements this beside the
 * Platform contract, so applications read flags from their own host. The flag set travels whole
 * with its version; an agent keeps the newest version it was given, across restarts.
 */
import type { FlagSnapshot } from '../flags/flag-engine.js';

/** Where an agent serves OFREP: a loopback address by default, and a port (0 picks one). */
export interface FlagServing {
  readonly host: string;
  readonly port: number;
}

/** One agent serving a flag set: the version it now serves and its OFREP base URL. */
export interface PublishedFlags {
  /** The host the agent runs on (`local` for this machine's agent). */
  readonly host: string;
  readonly version: number;
  /** The base URL applications give the OFREP provider, e.g. http://127.0.0.1:8016. */
  readonly url: string;
}

/** A platform that serves flags from its agents. */
export interface FlagPublisher {
  /**
   * Makes every agent of the platform serve `snapshot` over OFREP on `serving` (an agent already
   * serving a newer version keeps it). Resolves once each agent answers with the new set.
   */
  publishFlags(snapshot: FlagSnapshot, serving: FlagServing): Promise<readonly PublishedFlags[]>;
}

/** True when `platform` can publish flags. */
export function isFlagPublisher(platform: unknown): platform is FlagPublisher {
  return (
    typeof platform === 'object' &&
    platform !== null &&
    typeof (platform as { publishFlags?: unknown }).publishFlags === 'function'
  );
}
