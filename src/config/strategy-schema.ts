/**
 * The schema of `strategy:`: how a new revision replaces the running one (canary stages,
 * blue-green switch, or rolling batches), or how a flag's variant reaches users (featureFlag, in
 * flag-strategy-schema.ts). Exactly one kind per strategy; the rules check that.
 */
import { z } from 'zod';
import { metricsSchema } from './analysis-schema.js';
import { duration, percent } from './fields.js';
import { featureFlagSchema } from './flag-strategy-schema.js';
import type { ResolvedCountOrPercent } from './resolved.js';

/** A count written as a number of instances (`2`) or a percentage of them (`25%`). */
export const countOrPercent = z
  .union([
    z.int().min(0),
    z.string().regex(/^\s*\d+(?:\.\d+)?\s*%\s*$/, {
      error: 'expected a count such as 2 or a percentage such as 25%',
    }),
  ])
  .transform((value, ctx): ResolvedCountOrPercent => {
    if (typeof value === 'number') return { value, percent: false };
    const n = Number.parseFloat(value);
    if (n > 100) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: `a percentage is at most 100%, got '${value}'`,
      });
      return z.NEVER;
    }
    return { value: n, percent: true };
  })
  .meta({ examples: [1, '25%'] });

const autoRollback = z
  .boolean()
  .default(true)
  .describe('Roll back to the stable revision when the analysis fails (`false`: pause for a human instead).');

/** One canary stage: the new revision's share of traffic and how long it is held. */
export const canaryStageSchema = z
  .strictObject({
    traffic: percent.describe("The new revision's share of traffic, e.g. `5` or `5%`."),
    duration: duration
      .optional()
      .describe(
        'How long the stage is held, with the metrics analysed (absent before 100%: wait for `slipway promote`).',
      ),
    pause: z
      .boolean()
      .default(false)
      .describe('After the stage (and its duration), wait for `slipway promote`.'),
  })
  .describe('A canary stage: a traffic share held for a duration, or until promoted.');

/** Canary: the new revision takes growing shares of traffic, scaled for its share. */
export const canarySchema = z
  .strictObject({
    stages: z
      .array(canaryStageSchema)
      .min(1)
      .prefault([{ traffic: 10, duration: '5m' }, { traffic: 50, duration: '5m' }, { traffic: 100 }])
      .describe('Stages in order, each with a larger share; after the last, the new revision takes 100%.'),
    metrics: metricsSchema,
    autoRollback,
  })
  .describe('Canary: shift traffic to the new revision in stages, analysing metrics at each.');

/** Blue-green: the new revision comes up at full size beside the old, then traffic switches. */
export const blueGreenSchema = z
  .strictObject({
    switchover: z
      .enum(['instant', 'gradual'])
      .default('instant')
      .describe('`instant`: all traffic moves in one atomic step; `gradual`: in the weight `steps`.'),
    steps: z
      .array(percent)
      .min(1)
      .prefault([25, 50, 75, 100])
      .describe("With `gradual`: the new revision's share at each step (100 is added when missing)."),
    stepDuration: duration.prefault('30s').describe('With `gradual`: how long each step below 100% is held.'),
    rollback: z
      .literal('immediate')
      .default('immediate')
      .describe('How a rollback moves traffic back: `immediate`, in one flip to the warm old side.'),
    scaleDownDelay: duration
      .prefault('30s')
      .describe('How long the old revision stays up (and rollback is one flip) after the switch.'),
    analysisDuration: duration
      .prefault('0s')
      .describe('Pre-promotion analysis: how long metrics are analysed before traffic switches (0s: none).'),
    metrics: metricsSchema,
    autoRollback,
  })
  .describe('Blue-green: bring up the new revision at full size, check it, then switch traffic to it.');

/** Rolling: instances are replaced in batches within surge and unavailability limits. */
export const rollingSchema = z
  .strictObject({
    batchSize: countOrPercent
      .prefault('25%')
      .describe('Most instances started (and stopped) per step: a count or a percentage, rounded up.'),
    maxSurge: countOrPercent
      .prefault('25%')
      .describe('Most instances above `instances` during the update: a count or a percentage, rounded up.'),
    maxUnavailable: countOrPercent
      .prefault(0)
      .describe(
        'Most instances below `instances` that may be not ready: a count or a percentage, rounded down (default 0, unlike Kubernetes, so capacity never drops).',
      ),
    batchInterval: duration
      .prefault('0s')
      .describe('How long each batch is held, with the metrics analysed, before the next (0s: no hold).'),
    metrics: metricsSchema,
    autoRollback,
  })
  .describe(
    'Rolling: replace instances in batches, never above `maxSurge` extra or `maxUnavailable` missing.',
  );

/** How a new revision replaces the running one: exactly one of `canary`, `blueGreen`, `rolling` or `featureFlag`. */
export const strategySchema = z
  .strictObject({
    canary: canarySchema.optional(),
    blueGreen: blueGreenSchema.optional(),
    rolling: rollingSchema.optional(),
    featureFlag: featureFlagSchema.optional(),
  })
  .describe(
    'How a new revision replaces the running one: exactly one of `canary`, `blueGreen`, `rolling` or `featureFlag` (default: rolling with maxSurge 25%, maxUnavailable 0).',
  );

/** The strategy kinds, in the order they are listed. */
export const STRATEGY_KINDS = ['canary', 'blueGreen', 'rolling', 'featureFlag'] as const;

export type StrategyOutput = z.output<typeof strategySchema>;
