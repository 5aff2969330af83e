/** The schema of the pipeline: ordered stages of parallel or sequential jobs, and deploy environments. */
import { z } from 'zod';
import { identifier } from './fields.js';
import { inlineJobSchema } from './job-schema.js';

/** How an environment is promoted to. */
export const approvalSchema = z
  .enum(['auto', 'manual_approval'])
  .describe(
    '`auto` deploys as soon as the previous environment succeeded; `manual_approval` waits for `slipway approve`.',
  );

/** One environment of the deploy stage: `dev: auto`, or an object with what it runs. */
export const environmentSettingsSchema = z.union([
  approvalSchema,
  z
    .strictObject({
      approval: approvalSchema.default('auto'),
      run: z.string().min(1).optional().describe('Shell command that deploys to this environment.'),
    })
    .describe('Environment settings.'),
]);

/** A list entry of `environments:`: a one-key map from environment name to its settings. */
export const environmentEntrySchema = z
  .record(identifier, environmentSettingsSchema)
  .describe('One environment, e.g. `dev: auto` or `production: manual_approval`.');

/** A job reference in a stage: the id of a job in `jobs:`, or an inline job. */
export const jobRefSchema = z.union([identifier, inlineJobSchema]);

/** One stage: its jobs run in parallel, in sequence, or it promotes through environments. */
export const stageSchema = z
  .strictObject({
    name: identifier.describe('Stage name, unique in the pipeline.'),
    parallel: z.array(jobRefSchema).min(1).optional().describe('Jobs that run at the same time.'),
    steps: z.array(jobRefSchema).min(1).optional().describe('Jobs that run one after another, in order.'),
    environments: z
      .array(environmentEntrySchema)
      .min(1)
      .optional()
      .describe('Environments promoted to in order (deploy stage).'),
  })
  .describe('A stage; stages run in order.');

/** At most one running run per concurrency group. */
export const concurrencySchema = z
  .strictObject({
    group: z
      .string()
      .min(1)
      .describe('Group name; may use `${{ git.branch }}`, e.g. `deploy-${{ git.branch }}`.'),
    cancelInProgress: z
      .boolean()
      .default(false)
      .describe('Cancel a run of the same group that is in progress instead of waiting for it.'),
  })
  .describe('Allow at most one running run per group; a new run waits for (or cancels) the one in progress.');

/** The pipeline: stages that run in order. */
export const pipelineSchema = z
  .strictObject({
    concurrency: concurrencySchema.optional(),
    stages: z
      .array(stageSchema)
      .min(1)
      .describe('Stages, run in order; a stage starts when the previous one succeeded.'),
  })
  .describe('The pipeline that `slipway run` executes.');
