/** The shape a pipeline run has outside the engine: what the server's API returns and the CLI reads back. */
import { z } from 'zod';

/** A pipeline run as the API shows it (without its stored plan). */
export const RunSchema = z
  .object({
    id: z.number().int(),
    pipeline: z.string(),
    status: z.enum(['queued', 'running', 'waiting', 'success', 'failure', 'cancelled']),
    commitSha: z.string().nullable(),
    branch: z.string().nullable(),
    actor: z.string(),
    trigger: z.string(),
    createdAt: z.number().int(),
    startedAt: z.number().int().nullable(),
    finishedAt: z.number().int().nullable(),
  })
  .meta({ id: 'Run' });
