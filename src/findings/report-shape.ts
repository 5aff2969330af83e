/**
 * Checks a parsed report against the zod schema of the parts Slipway reads, for the formats without a
 * published JSON schema (osv-scanner, npm audit); problems name the file and the JSON path, like SARIF's.
 */
import type { z } from 'zod';
import { FindingsError, type ReportIssue } from './errors.js';

/** `doc` as `schema` describes it, or FINDINGS_REPORT_INVALID naming `file`, `what` and the first problems. */
export function parseReportShape<S extends z.ZodType>(
  schema: S,
  doc: unknown,
  file: string,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(doc);
  if (parsed.success) return parsed.data;
  const issues: ReportIssue[] = parsed.error.issues.map((i) => ({
    path: pathOf(i.path),
    message: i.message,
  }));
  const shown = issues
    .slice(0, 3)
    .map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`))
    .join('; ');
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  throw new FindingsError('FINDINGS_REPORT_INVALID', `${file}: not valid ${what}: ${shown}${more}`, {
    file,
    issues,
  });
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$-]*$/.test(part))
      out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}
