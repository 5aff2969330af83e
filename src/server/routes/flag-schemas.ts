// Schemas of the flag routes: flagd flag definitions, their versions, and the answers to changes.
import { z } from 'zod';

const Json = z.unknown().describe('any JSON value');

/** A flagd flag definition (https://flagd.dev/reference/flag-definitions/); checked whole against flagd's schema. */
export const FlagDefinitionSchema = z
  .looseObject({
    state: z.enum(['ENABLED', 'DISABLED']),
    variants: z.record(z.string(), Json).describe('the values the flag can take, by variant name'),
    defaultVariant: z
      .string()
      .nullable()
      .optional()
      .describe("the variant served when targeting places nobody (null or absent: the code's default)"),
    targeting: z
      .record(z.string(), Json)
      .optional()
      .describe('JsonLogic returning a variant name, e.g. {"fractional": [["on", 5], ["off", 95]]}'),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .meta({ id: 'FlagDefinition' });

/** One version of one flag, as the event log keeps it. */
export const FlagVersionSchema = z
  .object({
    flag: z.string(),
    version: z.number().int().describe("the flag's own version: 1, 2, ..."),
    definition: FlagDefinitionSchema.nullable().describe('null: the flag was removed'),
    actor: z.string(),
    time: z.number().int().describe('ms since the epoch'),
    change: z
      .string()
      .describe('declared, undeclared, set, weights, define, enable, disable, rollback, rollout...'),
    source: z.enum(['config', 'cli', 'api', 'rollout']),
    eventId: z.number().int().describe('the flag.changed event; the flag set version is the newest one'),
  })
  .meta({ id: 'FlagVersion' });

/** Where the flag set is served after a change. */
export const FlagsServedSchema = z.object({
  version: z.number().int().describe('the flag set version the server serves now'),
  published: z
    .array(z.object({ host: z.string(), version: z.number().int(), url: z.string() }))
    .describe("the platform's agents that took it, each with its OFREP base URL"),
  note: z.string().optional().describe('why it was not published to agents'),
  error: z.string().optional().describe('why publishing to the agents failed (the change is recorded)'),
});

/** The answer to a change. */
export const FlagChangeSchema = z
  .object({
    flag: FlagVersionSchema,
    changed: z.boolean().describe('false: the flag already was so; nothing was recorded'),
    served: FlagsServedSchema,
  })
  .meta({ id: 'FlagChange' });

/** `{ key }` in a path. */
export const FlagKeyParams = z.strictObject({ key: z.string().min(1).max(200).describe('flag key') });
