/**
 * The schema of how a service is deployed to an environment: strategy, analysis, checks around
 * traffic and hooks. Environments set it for every service (`environments.<env>`); a service may
 * override any section for one environment (`services.<id>.deploy.<env>`).
 */
import { z } from 'zod';
import { analysisSchema } from './analysis-schema.js';
import { duration } from './fields.js';
import { strategySchema } from './strategy-schema.js';

const path = z.string().regex(/^\//, { error: "must be a path starting with '/'" });
const method = z
  .enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
  .default('GET')
  .describe('HTTP method.');
const expect = z
  .union([z.int().min(100).max(599), z.array(z.int().min(100).max(599)).min(1)])
  .optional()
  .describe('Expected status or statuses (default: any 2xx or 3xx).');
const body = z
  .string()
  .min(1)
  .refine(
    (source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    },
    { error: 'must be a valid regular expression' },
  )
  .optional()
  .describe('Regular expression the response body must match.');

/** An HTTP request to the new revision, through the router with its revision header. */
export const httpCheckSchema = z
  .strictObject({
    path: path.describe('Path requested, e.g. `/healthz`.'),
    method,
    expect,
    body,
  })
  .describe('An HTTP request and what its response must be.');

/** A smoke check: an HTTP request or a command. */
export const smokeCheckSchema = z.union([
  z.strictObject({ http: httpCheckSchema }).describe('Request a path of the new revision.'),
  z
    .strictObject({
      run: z
        .string()
        .min(1)
        .describe('Shell command; exit 0 passes (SLIPWAY_URL and SLIPWAY_REVISION are set).'),
    })
    .describe('Run a command against the new revision.'),
]);

/** A synthetic journey: a few requests made in order, every analysis interval. */
export const journeySchema = z
  .strictObject({
    name: z.string().min(1).describe('Name shown in results.'),
    steps: z
      .array(httpCheckSchema)
      .min(1)
      .describe('Requests made in order; the journey fails at the first bad one.'),
  })
  .describe('A synthetic journey: requests with expected statuses and bodies.');

/** Checks around traffic: before it moves (smoke, warmup) and while it moves (synthetic journeys). */
export const checksSchema = z
  .strictObject({
    smoke: z
      .array(smokeCheckSchema)
      .default([])
      .describe('Checks sent to the new revision before it gets traffic; a failure aborts the rollout.'),
    warmup: z
      .array(path)
      .default([])
      .describe('Paths requested once on every new instance before it gets traffic.'),
    synthetic: z
      .array(journeySchema)
      .default([])
      .superRefine((journeys, ctx) => {
        const seen = new Set<string>();
        journeys.forEach((j, i) => {
          if (seen.has(j.name))
            ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate journey '${j.name}'` });
          seen.add(j.name);
        });
      })
      .describe(
        'Journeys run against the new revision every analysis interval; a failed one counts as a failed measurement.',
      ),
    timeout: duration.prefault('10s').describe('A check request or command that takes longer fails.'),
  })
  .describe('Checks of the new revision before and during traffic.');

/** Commands run once per rollout, before traffic moves and after it is done. */
export const hooksSchema = z
  .strictObject({
    preDeploy: z
      .string()
      .min(1)
      .optional()
      .describe('Shell command run before any traffic moves (e.g. migrations); failure aborts the rollout.'),
    postDeploy: z
      .string()
      .min(1)
      .optional()
      .describe('Shell command run after the new revision serves all traffic.'),
    timeout: duration.prefault('10m').describe('A hook that takes longer fails.'),
  })
  .describe('Commands run once per rollout (SLIPWAY_SERVICE, SLIPWAY_ENV and SLIPWAY_REVISION are set).');

/** The deployment sections of an environment, each with its defaults. */
export const deploymentFields = {
  strategy: strategySchema.prefault({ rolling: {} }),
  analysis: analysisSchema.prefault({}),
  checks: checksSchema.prefault({}),
  hooks: hooksSchema.prefault({}),
};

/** A service's deployment to one environment: each section given replaces the environment's whole section. */
export const deploymentOverrideSchema = z
  .strictObject({
    strategy: strategySchema.optional(),
    analysis: analysisSchema.optional(),
    checks: checksSchema.optional(),
    hooks: hooksSchema.optional(),
  })
  .describe(
    "How this service is deployed to one environment; each section given replaces that section of the environment's settings.",
  );

export type DeploymentOverrideOutput = z.output<typeof deploymentOverrideSchema>;
