/**
 * The traffic-director contract: the edge of a fleet gives an environment one entry point and
 * splits its requests between regions by whole-percent shares. Taking a region out of service
 * (drain or down) spreads its share over the regions still in service in proportion to their own
 * shares, which is how failover moves traffic; deciding that a region is failing is the caller's
 * job, not the director's. Slipway's own router (`edge/router-director.ts`, the default) and
 * HAProxy (`edge/haproxy-director.ts`) implement it; `test/platform/traffic-director.contract.ts`
 * is the suite every implementation passes.
 */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/**
 * Whether a region takes traffic:
 * - `ready`: it gets its share of new requests;
 * - `drain`: it gets no new load-balanced requests, requests in flight finish, and a client pinned
 *   to it on purpose (the router's `X-Slipway-Revision: <region>`, HAProxy persistence) still
 *   reaches it; use it to empty a region gently;
 * - `down`: it gets no new requests at all, pinned or not; requests in flight still finish. Use it
 *   for a region that fails (HAProxy's `maint`).
 */
export type RegionState = 'ready' | 'drain' | 'down';

/** One region behind the entry point and the upstream addresses that serve it. */
export interface RegionBackend {
  /** Lower-case letters, digits and dashes, starting with a letter or digit, at most 63 (a DNS label). */
  readonly name: string;
  /** `host:port` each (an IPv4 address, `[IPv6]` or a host name), at least one, no duplicates. */
  readonly upstreams: readonly string[];
}

/** Counters of one region since the director started or the backends were last set. */
export interface RegionCounters {
  /** Requests the region answered or failed (counted when they end). */
  readonly requests: number;
  /** Responses with status >= 500 sent for the region, the director's own 502/504 included. */
  readonly serverErrors: number;
  /** Connect failures and upstream errors mid-response. */
  readonly connectionErrors: number;
}

/** One region as the director applies it now. */
export interface RegionStatus {
  readonly name: string;
  readonly upstreams: readonly string[];
  /** The share it was given (0..100); while it is out of service it gets none of it. */
  readonly weight: number;
  readonly state: RegionState;
  /** Present when the implementation counts requests per region. */
  readonly counters?: RegionCounters;
}

/** Where clients connect. */
export interface EntryPoint {
  readonly host: string;
  readonly port: number;
}

/** What a director serves and how. */
export interface DirectorStatus {
  readonly entryPoint: EntryPoint;
  /** In the order of the last `setBackends`. */
  readonly regions: readonly RegionStatus[];
}

/**
 * The edge of one environment: one entry point, traffic split between regions by shares.
 * Every change is checked in full before anything is applied: a rejected call changes nothing.
 * No change fails a request in flight, and requests arriving during a change go to a region of
 * either the old or the new split. While no region takes traffic, requests get 503 (a director may
 * hold them briefly first, hoping one comes back).
 */
export interface TrafficDirector {
  /** Which implementation this is, for status output (`router`, `haproxy`, ...). */
  readonly kind: string;
  /**
   * Sets the regions and their upstreams. A region that stays keeps its weight and state (and
   * takes its new upstreams); a new region starts `ready` at weight 0. Rejects with
   * `invalid_backends` for a malformed list and `region_has_traffic` when a region left out still
   * has a weight above 0 (move its share first).
   */
  setBackends(regions: readonly RegionBackend[]): Promise<void>;
  /**
   * Sets every region's share: whole numbers from 0 to 100 summing to exactly 100; regions left
   * out get 0. Rejects with `unknown_region` or `invalid_weights`.
   */
  setWeights(weights: Readonly<Record<string, number>>): Promise<void>;
  /** Takes a region out of service (`drain`, `down`) or puts it back (`ready`); `unknown_region` if unknown. */
  setRegionState(region: string, state: RegionState): Promise<void>;
  /** The entry point, and each region's weight, state and (if counted) counters. */
  status(): Promise<DirectorStatus>;
  /** Stops serving the entry point and releases its port, processes and files; safe to call twice. */
  close(): Promise<void>;
}

/** Stable reasons a director operation fails. */
export type TrafficDirectorErrorCode =
  | 'invalid_backends'
  | 'invalid_weights'
  | 'unknown_region'
  | 'region_has_traffic'
  | 'invalid_options'
  | 'port_in_use'
  | 'start_failed'
  | 'director_unavailable'
  | 'command_failed'
  | 'closed';

// Malformed input is the caller's to fix; a region with traffic or a closed director is a state the
// request collides with; a director that will not start or answer is an outside failure.
const KINDS: KindTable<TrafficDirectorErrorCode> = {
  invalid_backends: 'usage',
  invalid_weights: 'usage',
  unknown_region: 'not_found',
  region_has_traffic: 'conflict',
  invalid_options: 'usage',
  port_in_use: 'conflict',
  start_failed: 'failed',
  director_unavailable: 'unavailable',
  command_failed: 'failed',
  closed: 'conflict',
};

/** Error of any TrafficDirector operation; `code` is stable, `cause` keeps the underlying error. */
export class TrafficDirectorError extends SlipwayError<TrafficDirectorErrorCode> {
  override readonly name = 'TrafficDirectorError';
  constructor(code: TrafficDirectorErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}

/** True when `error` is a TrafficDirectorError, optionally with the given code. */
export function isTrafficDirectorError(
  error: unknown,
  code?: TrafficDirectorErrorCode,
): error is TrafficDirectorError {
  return error instanceof TrafficDirectorError && (code === undefined || error.code === code);
}
