/** The schema of one job: what runs, when, and with which inputs and outputs. */

import { z } from 'zod';
import { duration, envMap, envName, identifier } from './fields.js';
import { findingsSchema } from './findings-schema.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** One step of a job: a named shell command run after the previous one succeeds. */
export const stepSchema = z
  .strictObject({
    name: z.string().min(1).describe('Name of the step, shown in logs.'),
    run: z.string().min(1).describe('Shell command, run with `bash -eo pipefail`.'),
  })
  .describe('A named shell command.');

/** A matrix: axes of values plus include/exclude rules, as in GitHub Actions. */
export const matrixSchema = z
  .object({
    include: z
      .array(z.record(z.string(), scalar))
      .optional()
      .describe('Extra combinations to add, or values to add to matching combinations.'),
    exclude: z
      .array(z.record(z.string(), scalar))
      .optional()
      .describe('Combinations to remove: any combination matching every given key is dropped.'),
    failFast: z.boolean().default(true).describe('Cancel the other legs when one leg fails.'),
    maxParallel: z
      .int()
      .positive()
      .optional()
      .describe('Most legs to run at once (default: no limit but --concurrency).'),
  })
  .catchall(z.array(scalar).min(1, { error: 'a matrix axis needs at least one value' }))
  .describe(
    'Run the job once per combination of the axes (e.g. `node: [18, 20]`); each leg sees `matrix.<axis>`.',
  );

/** Retry policy: a number of retries, or attempts with a back-off between them. */
export const retrySchema = z
  .union([
    z.int().min(0).max(10),
    z.strictObject({
      attempts: z.int().min(1).max(11).describe('Total attempts, the first included.'),
      backoff: duration.optional().describe('Wait between attempts, doubled after each one.'),
    }),
  ])
  .describe('Retry a failed job: `2` retries twice (three attempts), or `{ attempts: 3, backoff: 2s }`.');

/** Cache restored before the job and saved after it succeeds. */
export const cacheSchema = z
  .strictObject({
    key: z.string().min(1).describe('Exact cache key; may use `${{ hashFiles(...) }}`.'),
    paths: z
      .array(z.string().min(1))
      .min(1)
      .describe('Paths to save and restore, relative to the job directory.'),
    restoreKeys: z
      .array(z.string().min(1))
      .default([])
      .describe('Key prefixes tried in order when the exact key misses; the newest match wins.'),
  })
  .describe('Cache paths between runs under .slipway/cache/.');

/** Every field a job may have, without its name. */
export const jobFields = {
  run: z
    .string()
    .min(1)
    .optional()
    .describe('Shell command, run with `bash -eo pipefail` in the job directory.'),
  steps: z
    .array(stepSchema)
    .min(1)
    .optional()
    .describe('Commands run one after another; the job stops at the first failure.'),
  needs: z
    .union([identifier, z.array(identifier)])
    .optional()
    .describe('Jobs that must finish first (also across stages).'),
  if: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Condition, e.g. `${{ failure() }}` or `${{ git.branch == 'main' }}`; without a status function it means `success() && (...)`.",
    ),
  timeout: duration.optional().describe('Stop the job (SIGTERM, then SIGKILL) when it runs longer.'),
  retry: retrySchema.optional(),
  continueOnError: z.boolean().default(false).describe('A failure does not fail the run or skip dependents.'),
  env: envMap.optional().describe('Environment variables merged over the runner environment.'),
  workdir: z.string().min(1).optional().describe('Directory to run in, relative to the project.'),
  matrix: matrixSchema.optional(),
  cache: cacheSchema.optional(),
  artifacts: z
    .array(z.string().min(1))
    .optional()
    .describe('Glob patterns of files stored after the job and given to its dependents.'),
  secrets: z
    .array(envName)
    .optional()
    .describe('Environment variables passed to the job as secrets; their values are masked in logs.'),
  findings: findingsSchema.optional(),
};

/** A job defined in the top-level `jobs:` map (its key is its id). */
export const jobSchema = z.strictObject(jobFields).describe('A job: a shell command or a list of steps.');

/** A job written inline in a stage: the same fields plus a required `name`. */
export const inlineJobSchema = z
  .strictObject({ name: identifier.describe('Job id, unique in the file.'), ...jobFields })
  .describe('A job written inline in a stage, with its id in `name`.');

export type JobInput = z.input<typeof jobSchema>;
export type JobOutput = z.output<typeof jobSchema>;
