// Queries of the findings table: a job's findings replaced in one transaction, in batches.
import type { Kysely, Selectable } from 'kysely';
import type { Severity } from '../findings/finding.js';
import type { AtomicWrite } from './atomic-write.js';
import { toStoreError } from './driver-errors.js';
import { decodeJson, encodeJson } from './json-columns.js';
import type { Database, FindingsTable } from './schema.js';
import type { FindingFilter, FindingStatus, NewFinding, StoredFinding } from './stored-findings.js';

// Rows per INSERT: 13 columns each stay far below SQLite's and PostgreSQL's bound-parameter limits.
const BATCH = 500;

function toFinding(row: Selectable<FindingsTable>): StoredFinding {
  return {
    id: Number(row.id),
    runId: Number(row.run_id),
    jobKey: row.job_key,
    tool: row.tool,
    rule: row.rule,
    severity: row.severity as Severity,
    message: row.message,
    ...(row.file !== null
      ? {
          location: {
            file: row.file,
            ...(row.line !== null ? { line: Number(row.line) } : {}),
            ...(row.col !== null ? { column: Number(row.col) } : {}),
          },
        }
      : {}),
    fingerprint: row.fingerprint,
    fingerprintSource: row.fingerprint_source as StoredFinding['fingerprintSource'],
    status: row.status as FindingStatus,
    suppression: row.suppression === null ? null : (decodeJson(row.suppression) as Record<string, unknown>),
  };
}

/** Replaces the findings of (`runId`, `jobKey`) with `findings`. */
export async function recordFindings(
  write: AtomicWrite,
  now: number,
  runId: number,
  jobKey: string,
  findings: readonly NewFinding[],
): Promise<void> {
  try {
    await write(async (tx) => {
      await tx.deleteFrom('findings').where('run_id', '=', runId).where('job_key', '=', jobKey).execute();
      for (let i = 0; i < findings.length; i += BATCH) {
        await tx
          .insertInto('findings')
          .values(
            findings.slice(i, i + BATCH).map((f) => ({
              run_id: runId,
              job_key: jobKey,
              tool: f.tool,
              rule: f.rule,
              severity: f.severity,
              message: f.message,
              file: f.location?.file ?? null,
              line: f.location?.line ?? null,
              col: f.location?.column ?? null,
              fingerprint: f.fingerprint,
              fingerprint_source: f.fingerprintSource,
              status: f.status,
              suppression: f.suppression ? encodeJson(f.suppression, 'a suppression') : null,
              created_at: now,
            })),
          )
          .execute();
      }
    });
  } catch (error) {
    throw toStoreError('recording findings', error);
  }
}

/** The findings of a run or of one of its jobs, in id order. */
export async function listFindings(db: Kysely<Database>, filter: FindingFilter): Promise<StoredFinding[]> {
  try {
    let query = db.selectFrom('findings').selectAll().where('run_id', '=', filter.runId);
    if (filter.jobKey !== undefined) query = query.where('job_key', '=', filter.jobKey);
    return (await query.orderBy('id').execute()).map(toFinding);
  } catch (error) {
    throw toStoreError('listing findings', error);
  }
}
