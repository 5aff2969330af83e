/**
 * The pure side of a fleet deploy: the region scopes of a fleet in wave order, when a wave may
 * start, and which regions a failed deploy sends back. fleet-deploy.ts does the I/O.
 */
import type { ResolvedFleet } from '../../config/resolved.js';
import { FleetError } from './fleet-errors.js';
import { regionScope } from './region-platform.js';

/** How one region fared in a fleet deploy. */
export type RegionDeployStatus =
  /** The region serves the revision now. */
  | 'completed'
  /** The region already served the revision; nothing changed. */
  | 'unchanged'
  /** Its analysis failed (or it was aborted) and its controller put the old revision back. */
  | 'rolled_back'
  /** It threw (a host could not be reached...), or putting it back failed: see `error`. */
  | 'failed'
  /** An earlier wave failed, so this one never started. */
  | 'skipped'
  /** It completed, then a later wave failed and it was put back on the revision it served before. */
  | 'reverted';

/** One region's part in a fleet deploy. */
export interface RegionDeployResult {
  readonly region: string;
  readonly scope: string;
  readonly status: RegionDeployStatus;
  /** The rollout that deployed the revision to the region, when one was started. */
  readonly rollout?: number;
  /** What served before the wave (null when nothing did). */
  readonly before?: string | null;
  readonly error?: string;
}

/** What a fleet deploy did, region by region in wave order. */
export interface FleetDeployOutcome {
  readonly status: 'completed' | 'failed';
  /** The fleet deploy's id: the subject of its `fleet.*` events is `fleet/<id>`. */
  readonly id: string;
  /** The revision deployed (null when no region got as far as making it). */
  readonly revision: string | null;
  readonly regions: readonly RegionDeployResult[];
  readonly reason?: string;
}

/** A region of a fleet and the environment name its rollouts are recorded under. */
export interface RegionScope {
  readonly region: string;
  readonly scope: string;
}

/**
 * The region scopes of `env`'s fleet in wave order, or only `region`'s; an unknown region is a
 * usage error naming the known ones. What `pause`/`promote`/`abort`/`rollback --region` act on.
 */
export function fleetScopes(env: string, fleet: ResolvedFleet, region?: string): readonly RegionScope[] {
  const all = fleet.waves.map((wave) => ({ region: wave.region, scope: regionScope(env, wave.region) }));
  if (region === undefined) return all;
  const one = all.filter((s) => s.region === region);
  if (one.length === 0) {
    throw new FleetError(
      'REGION_UNKNOWN',
      `environment ${env} has no region '${region}' (regions: ${all.map((s) => s.region).join(', ')})`,
    );
  }
  return one;
}

/**
 * When a wave starts (epoch ms): its offset after the deploy started, but never before the wave
 * before it completed (its steps and analysis included).
 */
export function waveStartAt(startedAt: number, offsetMs: number, previousDoneAt?: number): number {
  return Math.max(startedAt + offsetMs, previousDoneAt ?? startedAt);
}

/**
 * The regions to put back after a wave failed, latest first: with `all` every region the deploy
 * changed and finished (the failing one is already back, its controller rolled it back); with
 * `region` none beyond the failing one.
 */
export function regionsToRevert(
  rollback: ResolvedFleet['rollback'],
  results: readonly RegionDeployResult[],
): readonly RegionDeployResult[] {
  if (rollback === 'region') return [];
  return results.filter((r) => r.status === 'completed').reverse();
}
