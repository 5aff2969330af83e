/**
 * The schema of suppressions, shared by `.slipway/suppressions.yaml` and `suppressions:` in slipway.yaml:
 * each names a rule or a fingerprint, says why, until when, and who decided.
 */
import { z } from 'zod';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** One suppression: the findings of a rule or the one finding of a fingerprint, accepted until `expires`. */
export const suppressionSchema = z
  .strictObject({
    rule: z
      .string()
      .min(1)
      .optional()
      .describe('The rule or advisory id to suppress (`js/sql-injection`, `GHSA-35jh-r3h4-6jhm`).'),
    fingerprint: z
      .string()
      .min(1)
      .optional()
      .describe('The fingerprint of the one finding to suppress, as Slipway shows it.'),
    path: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Narrows the suppression to findings in files matching this glob (`src/legacy/**`), relative to the project.',
      ),
    reason: z
      .string()
      .trim()
      .min(1)
      .describe('Why the finding is accepted: a false positive, not reachable, ...'),
    expires: z
      .string()
      .regex(DATE, 'must be a date YYYY-MM-DD')
      .refine((d) => !DATE.test(d) || validDate(d), 'must be a real calendar date')
      .describe('The last day (YYYY-MM-DD, UTC) the suppression applies; after it the finding counts again.'),
    author: z.string().trim().min(1).describe('Who accepted the finding (a name or an email address).'),
  })
  .refine((s) => s.rule !== undefined || s.fingerprint !== undefined, {
    message: 'a suppression needs a rule or a fingerprint',
  })
  .describe(
    'A finding accepted for a while: a rule or a fingerprint, with a reason, an expiry date and an author.',
  );

/** A list of suppressions. */
export const suppressionsSchema = z
  .array(suppressionSchema)
  .default([])
  .describe('Findings accepted for a while; an expired suppression stops suppressing and is warned about.');

/** `.slipway/suppressions.yaml`: `{ suppressions: [...] }`. */
export const suppressionsFileSchema = z
  .strictObject({ suppressions: suppressionsSchema })
  .describe('The suppressions file, .slipway/suppressions.yaml.');

function validDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}
