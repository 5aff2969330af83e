// Zod schemas shared by several routes: ids in paths, list limits, errors, events (runs: pipeline/run-schema.ts).
import { z } from 'zod';
import { EVENT_TYPES } from '../store/event-types.js';

/** A positive integer written in a path or query string. */
export const positiveInt = z
  .string()
  .regex(/^[1-9][0-9]{0,14}$/, 'expected a positive integer')
  .transform(Number);

/** A non-negative integer written in a query string (an `afterId` may be 0). */
export const nonNegativeInt = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,14})$/, 'expected a non-negative integer')
  .transform(Number);

/** `{ id }` in a path. */
export const RunIdParams = z.strictObject({ id: positiveInt.describe('run id') });

/** `?limit=` of list endpoints: 1..1000, default 100. */
export const limitQuery = positiveInt
  .refine((n) => n <= 1000, 'at most 1000')
  .optional()
  .describe('most items to return (default 100, at most 1000)');

/** The body of every error response. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable machine-readable reason'),
      message: z.string(),
      field: z.string().optional().describe('the request field at fault, when there is one'),
    }),
  })
  .meta({ id: 'Error' });

/** One event of the log. */
export const EventSchema = z
  .object({
    id: z.number().int(),
    type: z.enum(EVENT_TYPES),
    time: z.number().int(),
    actor: z.string(),
    commitSha: z.string().nullable(),
    service: z.string().nullable(),
    environment: z.string().nullable(),
    runId: z.number().int().nullable(),
    subject: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Event' });

/** The answer of an accepted long operation. */
export const AcceptedSchema = z
  .object({
    status: z.literal('accepted'),
    runId: z.number().int().optional(),
    rolloutId: z.number().int().nullable().optional(),
  })
  .meta({ id: 'Accepted' });

/** Standard error responses of a route needing a token. */
export const AUTH_ERRORS = {
  400: { description: 'invalid request; `error.field` names the field', schema: ErrorSchema },
  401: { description: 'no token, or an unknown or revoked one', schema: ErrorSchema },
  403: { description: 'the token role is too low', schema: ErrorSchema },
} as const;
