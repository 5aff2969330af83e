/** The schema of `security:`: what the findings gates of every job share (suppressions, the baseline's branch). */
import { z } from 'zod';
import type { Suppression } from '../findings/suppressions.js';
import { suppressionsSchema } from '../findings/suppressions-schema.js';

/** `security:` in slipway.yaml. */
export const securitySchema = z
  .strictObject({
    suppressions: suppressionsSchema,
    baselineBranch: z
      .string()
      .min(1)
      .default('main')
      .describe(
        "The default branch: its last successful run's findings are the baseline of `newOnly` gates (default: main).",
      ),
  })
  .describe(
    'Security findings: suppressions and the baseline branch (`.slipway/suppressions.yaml` adds suppressions).',
  );

export type SecurityOutput = z.output<typeof securitySchema>;

/** `security:` resolved (every default when the file has none). */
export interface ResolvedSecurity {
  readonly suppressions: readonly Suppression[];
  readonly baselineBranch: string;
}

/** The resolved `security:` of a config (defaults without one). */
export function resolveSecurity(input: SecurityOutput | undefined): ResolvedSecurity {
  return { suppressions: input?.suppressions ?? [], baselineBranch: input?.baselineBranch ?? 'main' };
}
