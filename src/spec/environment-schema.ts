/** The schema of a top-level environment: where the services of the project run. */
import { z } from 'zod';
import { deploymentFields } from './deployment-schema.js';
import { port } from './fields.js';

/** One environment the services are deployed to, e.g. `production: { port: 8080 }`. */
export const environmentSchema = z
  .strictObject({
    port: port
      .optional()
      .describe('Port the environment serves on (default: a free port the platform picks).'),
    ...deploymentFields,
  })
  .describe('An environment the services are deployed to.');

export type EnvironmentInput = z.input<typeof environmentSchema>;
export type EnvironmentOutput = z.output<typeof environmentSchema>;
