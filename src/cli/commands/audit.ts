/**
 * `slipway audit export --since DATE [--until DATE] [--format json|csv] [--output FILE]`: the
 * evidence an auditor asks for, one entry per deploy: who deployed what, when, from which commit,
 * approved by whom, with which checks passed.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { auditEvidence, EVIDENCE_EVENT_TYPES } from '../../compliance/audit-evidence.js';
import { evidenceCsv } from '../../compliance/evidence-csv.js';
import type { Run } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { openProjectStore, projectDirOf } from '../project.js';
import { requireLocal } from '../remote/remote-context.js';

/** Options of `slipway audit export`. */
export interface AuditExportOptions {
  readonly since: string;
  readonly until?: string;
  readonly format?: string;
  readonly output?: string;
}

function parseDate(flag: string, text: string): number {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  if (Number.isNaN(time))
    throw new UsageError(`${flag} takes a date (YYYY-MM-DD) or an ISO time, got '${text}'`);
  return time;
}

/** Writes the deploy evidence of a period as JSON (an array) or CSV. */
export async function auditExportCommand(ctx: CommandContext, options: AuditExportOptions): Promise<number> {
  requireLocal(ctx, 'slipway audit export');
  const format = options.format ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new UsageError(`--format is json or csv, got '${format}'`);
  const since = parseDate('--since', options.since);
  const until = options.until !== undefined ? parseDate('--until', options.until) : undefined;
  if (until !== undefined && until <= since) throw new UsageError('--until must be after --since');
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const events = await store.listEvents({
      types: [...EVIDENCE_EVENT_TYPES],
      since,
      ...(until !== undefined ? { until } : {}),
    });
    const runs = new Map<number, Run>();
    for (const id of new Set(events.map((e) => e.runId).filter((id): id is number => id !== null))) {
      const run = await store.getRun(id);
      if (run) runs.set(id, run);
    }
    const rows = auditEvidence(events, runs);
    const text = format === 'csv' ? evidenceCsv(rows) : `${JSON.stringify(rows, null, 2)}\n`;
    if (options.output) {
      writeFileSync(resolve(ctx.io.cwd, options.output), text);
      ctx.output.error(`audit export: ${rows.length} deploys -> ${options.output}`);
    } else ctx.output.write(text);
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
