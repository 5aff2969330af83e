/**
 * `slo:` in slipway.yaml: the delivery success targets `slipway metrics` and the dashboard report
 * as met or missed. The defaults are the ones Slipway is built to: zero-downtime deploys, more than
 * 99% of deploys succeeding, rollbacks under two minutes, pipelines under fifteen, and an hour from
 * commit to production.
 */
import { z } from 'zod';
import { duration, percent } from './fields.js';

export const sloSchema = z
  .strictObject({
    zeroDowntime: percent
      .prefault(100)
      .describe(
        "Share of rollouts in which the router failed no request that was not the new revision's own answer (at least).",
      ),
    deploySuccessRate: percent
      .prefault(99)
      .describe('Share of deploys that complete without a rollback or an abort (more than).'),
    rollbackTime: duration
      .prefault('2m')
      .describe('The longest time from a rollback decision to traffic restored (less than).'),
    pipelineDuration: duration
      .prefault('15m')
      .describe('95th percentile of pipeline run durations (less than).'),
    timeToProduction: duration.prefault('1h').describe('Mean time from commit to production (less than).'),
  })
  .describe('Delivery success targets, reported by `slipway metrics` and the dashboard as met or missed.');

/** The success targets, fractions and milliseconds. */
export interface ResolvedSlo {
  /** 0..1 */
  readonly zeroDowntime: number;
  /** 0..1 */
  readonly deploySuccessRate: number;
  readonly rollbackTimeMs: number;
  readonly pipelineDurationMs: number;
  readonly timeToProductionMs: number;
}

/** The targets when slipway.yaml has no `slo:`. */
export const DEFAULT_SLO: ResolvedSlo = {
  zeroDowntime: 1,
  deploySuccessRate: 0.99,
  rollbackTimeMs: 120_000,
  pipelineDurationMs: 900_000,
  timeToProductionMs: 3_600_000,
};

/** Resolves `slo:` (absent: the defaults). */
export function resolveSlo(slo: z.infer<typeof sloSchema> | undefined): ResolvedSlo {
  if (!slo) return DEFAULT_SLO;
  return {
    zeroDowntime: slo.zeroDowntime / 100,
    deploySuccessRate: slo.deploySuccessRate / 100,
    rollbackTimeMs: slo.rollbackTime,
    pipelineDurationMs: slo.pipelineDuration,
    timeToProductionMs: slo.timeToProduction,
  };
}
