/**
 * The slipway.yaml schema: the single source of truth for the config language. Types are
 * inferred from it, `slipway schema` prints its JSON Schema, docs/config.md is generated from it.
 */

import { z } from 'zod';
import { environmentSchema } from './environment-schema.js';
import { identifier } from './fields.js';
import { flagsSchema } from './flags-schema.js';
import { hostsSchema, regionsSchema } from './fleet-schema.js';
import { gitopsSchema } from './gitops-schema.js';
import { jobSchema } from './job-schema.js';
import { pipelineSchema } from './pipeline-schema.js';
import { releaseSchema } from './release-schema.js';
import { securitySchema } from './security-schema.js';
import { serviceSchema } from './service-schema.js';
import { sloSchema } from './slo-schema.js';

/** The project this file describes. */
export const projectSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe('Project name (default: the directory name).'),
    description: z.string().optional().describe('One line on what the project is.'),
  })
  .describe('The project this file describes.');

/** The whole slipway.yaml document. */
export const configSchema = z
  .strictObject({
    version: z.literal(1).default(1).describe('Version of the config language; 1 is the only one.'),
    project: projectSchema.optional(),
    jobs: z.record(identifier, jobSchema).default({}).describe('Jobs by id; stages refer to them by id.'),
    pipeline: pipelineSchema.optional(),
    services: z
      .record(identifier, serviceSchema)
      .prefault({})
      .describe('Services by id: long-running processes deployed to the environments.'),
    environments: z
      .record(identifier, environmentSchema)
      .default({})
      .describe(
        'Environments the services are deployed to, by name; deploy-stage environments refer to them.',
      ),
    release: releaseSchema.optional(),
    hosts: hostsSchema.optional(),
    regions: regionsSchema
      .optional()
      .describe(
        'The regions rollouts deploy to, in waves; applies to every environment with hosts in them that has no `regions:` of its own.',
      ),
    gitops: gitopsSchema.optional(),
    slo: sloSchema.optional(),
    flags: flagsSchema.optional(),
    security: securitySchema.optional(),
  })
  .describe('Slipway configuration (slipway.yaml).');

/** The config as written (before defaults and parsing). */
export type ConfigInput = z.input<typeof configSchema>;
/** The config after schema parsing (durations in ms, defaults filled). */
export type ConfigOutput = z.output<typeof configSchema>;
