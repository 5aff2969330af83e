/** The audit evidence as CSV (RFC 4180): one row per deploy, lists joined with `; `. */
import type { DeployEvidence } from './audit-evidence.js';

const COLUMNS = [
  'time',
  'type',
  'service',
  'environment',
  'revision',
  'commit',
  'branch',
  'deployed_by',
  'run',
  'trigger',
  'approvals',
  'checks_passed',
  'checks_failed',
  'findings',
  'policies',
  'infrastructure',
] as const;

/** A CSV field, quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The CSV document of `rows`, with a header line; lines end with CRLF as RFC 4180 says. */
export function evidenceCsv(rows: readonly DeployEvidence[]): string {
  const lines = [COLUMNS.join(',')];
  for (const r of rows) {
    const fields = [
      r.at,
      r.type,
      r.service ?? '',
      r.environment ?? '',
      r.revision ?? '',
      r.commit ?? '',
      r.branch ?? '',
      r.deployedBy,
      r.run === null ? '' : String(r.run),
      r.trigger ?? '',
      r.approvals
        .map((a) => `${a.decision} by ${a.by} at ${a.at}${a.comment ? ` (${a.comment})` : ''}`)
        .join('; '),
      r.checksPassed.join('; '),
      r.checksFailed.join('; '),
      r.findings.map((f) => `${f.job}: ${f.gate} (${f.counted} counted)`).join('; '),
      r.policies.join('; '),
      r.infrastructure
        .map(
          (i) =>
            `plan ${i.plan} ${i.hash.slice(0, 12)} approved by ${i.approvedBy ?? '?'}${i.override ? `, override: ${i.override}` : ''}`,
        )
        .join('; '),
    ];
    lines.push(fields.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
