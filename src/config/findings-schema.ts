/** The schema of a job's `findings:`: the scanner reports it writes, and the severity gate they pass. */
import { z } from 'zod';

/** The severities a gate can fail on, most severe first; `none` never fails. */
export const FAIL_ON = ['critical', 'high', 'medium', 'low', 'none'] as const;

const globs = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** `jobs.<id>.findings`: reports read after the job, gated by severity, optionally against a baseline. */
export const findingsSchema = z
  .strictObject({
    sarif: globs
      .optional()
      .describe(
        'SARIF 2.1.0 reports the job writes, a glob or a list of globs relative to the job directory.',
      ),
    osv: globs.optional().describe("osv-scanner's JSON output files (`--format json`), globs."),
    npmAudit: globs.optional().describe('`npm audit --json` output files, globs.'),
    failOn: z
      .enum(FAIL_ON)
      .default('high')
      .describe(
        'Fail the job when a counted finding is at or above this severity; `none` never fails (default: high).',
      ),
    newOnly: z
      .boolean()
      .default(false)
      .describe(
        "Count only findings not in the baseline: the findings of the default branch's last successful run (default: false).",
      ),
  })
  .describe('Security findings the job reports, gated by severity.');

export type FindingsOutput = z.output<typeof findingsSchema>;

/** A job's `findings:` resolved: globs as lists. */
export interface ResolvedFindings {
  readonly sarif: readonly string[];
  readonly osv: readonly string[];
  readonly npmAudit: readonly string[];
  readonly failOn: (typeof FAIL_ON)[number];
  readonly newOnly: boolean;
}

/** Resolves `findings:` as parsed by the schema. */
export function resolveFindings(input: FindingsOutput): ResolvedFindings {
  const list = (value: string | string[] | undefined) =>
    value === undefined ? [] : typeof value === 'string' ? [value] : value;
  return {
    sarif: list(input.sarif),
    osv: list(input.osv),
    npmAudit: list(input.npmAudit),
    failOn: input.failOn,
    newOnly: input.newOnly,
  };
}
