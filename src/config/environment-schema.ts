/** The schema of a top-level environment: where the services of the project run. */
import { z } from 'zod';
import { databasesSchema } from './databases-schema.js';
import { deploymentFields } from './deployment-schema.js';
import { port } from './fields.js';
import { environmentFleetFields } from './fleet-schema.js';
import { infrastructureSchema } from './infrastructure-schema.js';
import { protectionSchema } from './protection-schema.js';

/** Who may decide an environment's approval gates on the server. */
export const approvalProtectionSchema = z
  .strictObject({
    required: z
      .int()
      .min(1)
      .default(1)
      .describe('Approvals a gate needs before it opens (only 1 is supported for now).'),
    preventSelfApproval: z
      .boolean()
      .default(false)
      .describe("Refuse an approval by the token that started the run (the run's actor)."),
  })
  .describe('Approval protection of the gates of this environment (enforced by `slipway server`).');

/** One environment the services are deployed to, e.g. `production: { port: 8080 }`. */
export const environmentSchema = z
  .strictObject({
    port: port
      .optional()
      .describe('Port the environment serves on (default: a free port the platform picks).'),
    approval: approvalProtectionSchema
      .optional()
      .describe(
        'Approval protection of the gates of this environment, enforced by `slipway server` (default: `{ required: 1, preventSelfApproval: false }`).',
      ),
    infrastructure: infrastructureSchema
      .optional()
      .describe('Infrastructure provisioned before the services deploy (default: none).'),
    protection: protectionSchema.optional(),
    databases: databasesSchema.optional(),
    ...deploymentFields,
    ...environmentFleetFields,
  })
  .describe('An environment the services are deployed to.');

export type EnvironmentInput = z.input<typeof environmentSchema>;
export type EnvironmentOutput = z.output<typeof environmentSchema>;
