// The logs part of the store contract over Kysely: job output appended in batches, read back in id order.
import type { Kysely, Selectable } from 'kysely';
import type { AtomicWrite } from './atomic-write.js';
import { isForeignKeyViolation, toStoreError } from './driver-errors.js';
import { StoreError } from './errors.js';
import type { Database, LogsTable } from './schema.js';
import type { LogLine, LogQuery, LogStream, NewLogLine } from './store.js';

/** Rows per INSERT when appending logs; stays far below both backends' bound-parameter limits. */
const LOG_BATCH = 500;

/** Maps a logs row. */
function toLogLine(row: Selectable<LogsTable>): LogLine {
  return {
    id: row.id,
    runId: row.run_id,
    jobKey: row.job_key,
    attempt: row.attempt,
    stream: row.stream as LogStream,
    time: row.time,
    text: row.text,
  };
}

/** Inserts every line or none; lines without a time get `now`. A missing run is NOT_FOUND. */
export async function appendLogs(
  write: AtomicWrite,
  now: number,
  entries: readonly NewLogLine[],
): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((entry) => ({
    run_id: entry.runId,
    job_key: entry.jobKey,
    attempt: entry.attempt ?? 1,
    stream: entry.stream,
    time: entry.time ?? now,
    text: entry.text,
  }));
  try {
    await write(async (trx) => {
      for (let start = 0; start < rows.length; start += LOG_BATCH) {
        await trx
          .insertInto('logs')
          .values(rows.slice(start, start + LOG_BATCH))
          .execute();
      }
    });
  } catch (error) {
    if (!isForeignKeyViolation(error)) throw toStoreError('appending logs', error);
    const runIds = [...new Set(rows.map((row) => row.run_id))].join(', ');
    throw new StoreError('NOT_FOUND', `appending logs: run ${runIds} does not exist`, { cause: error });
  }
}

/** Reads the lines of a run in id order, optionally of one job and after the last id seen. */
export async function readLogs(db: Kysely<Database>, runId: number, query: LogQuery): Promise<LogLine[]> {
  try {
    let select = db.selectFrom('logs').selectAll().where('run_id', '=', runId).orderBy('id', 'asc');
    if (query.jobKey !== undefined) select = select.where('job_key', '=', query.jobKey);
    if (query.afterId !== undefined) select = select.where('id', '>', query.afterId);
    if (query.limit !== undefined) select = select.limit(query.limit);
    return (await select.execute()).map(toLogLine);
  } catch (error) {
    throw toStoreError('reading logs', error);
  }
}
