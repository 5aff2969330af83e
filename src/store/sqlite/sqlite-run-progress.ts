/**
 * The SQLite fast path of writeRunProgress: a batch of a run's log lines, job patches and events
 * in one synchronous BEGIN IMMEDIATE transaction of prepared statements. Through the query
 * builder the same batch cost about 0.3 ms (building, compiling and an async transaction per
 * batch), a third of the runner's per-job time in a thousand-job pipeline; this way it costs
 * a few tens of microseconds. The statements are exactly those the general path runs.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { isForeignKeyViolation, toStoreError } from '../driver-errors.js';
import { jobRunColumns, mergeJobRunPatches } from '../job-run-queries.js';
import { runNotFound } from '../run-queries.js';
import type { RunProgress } from '../store.js';
import { validateEvent } from '../validate-event.js';

type Value = string | number | null;
type Row = readonly Value[];

const EVENT_COLUMNS = [
  'type',
  'time',
  'actor',
  'commit_sha',
  'service',
  'environment',
  'run_id',
  'subject',
  'data',
] as const;
const LOG_COLUMNS = ['run_id', 'job_key', 'attempt', 'stream', 'time', 'text'] as const;
const JOB_DEFAULTS: Readonly<Record<string, Value>> = { status: 'pending', attempts: 0, outputs: '{}' };

const JOB_COLUMNS = [
  'stage',
  'status',
  'attempts',
  'exit_code',
  'started_at',
  'finished_at',
  'outputs',
  'matrix',
  'message',
] as const;

/** Which job_runs columns a patch sets, as bits in JOB_COLUMNS order. */
function shapeOf(set: Readonly<Record<string, Value>>): number {
  let shape = 0;
  for (let i = 0; i < JOB_COLUMNS.length; i++) if (JOB_COLUMNS[i]! in set) shape |= 1 << i;
  return shape;
}

const quoted = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(', ');
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** The fast writer over `database`; returns false (writing nothing) while a transaction is open on it. */
export function sqliteRunProgress(
  database: BetterSqlite3.Database,
): (runId: number, progress: RunProgress, now: number) => boolean {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = database.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const insertEvent = `insert into "events" (${quoted(EVENT_COLUMNS)}) values (${marks(EVENT_COLUMNS.length)})`;
  const insertLog = `insert into "logs" (${quoted(LOG_COLUMNS)}) values (${marks(LOG_COLUMNS.length)})`;
  const upsertJob = (columns: readonly string[], set: readonly string[]) =>
    `insert into "job_runs" (${quoted(columns)}) values (${marks(columns.length)}) on conflict ("run_id", "job_key") do update set ${(set.length > 0 ? set : ['job_key']).map((c) => `"${c}" = excluded."${c}"`).join(', ')}`;

  // One statement per set of patched columns; jobRunColumns adds them in one fixed order.
  const upserts = new Map<number, { sql: string; columns: string[] }>();
  const write = database.transaction(
    (logs: readonly Row[], jobs: readonly { sql: string; row: Row }[], events: readonly Row[]) => {
      if (logs.length > 0) {
        const statement = prepared(insertLog);
        for (const row of logs) statement.run(row);
      }
      for (const job of jobs) prepared(job.sql).run(job.row);
      if (events.length > 0) {
        const statement = prepared(insertEvent);
        for (const row of events) statement.run(row);
      }
    },
  );

  return (runId, progress, now) => {
    if (database.inTransaction) return false;
    // Everything is checked and encoded before the transaction starts: bad input writes nothing.
    const events = progress.events.map((event) => {
      const row = validateEvent(event, now) as Record<string, Value>;
      return EVENT_COLUMNS.map((c) => row[c] ?? null);
    });
    const logs = progress.logs.map((line) => [
      line.runId,
      line.jobKey,
      line.attempt ?? 1,
      line.stream,
      line.time ?? now,
      line.text,
    ]);
    const jobs: { sql: string; row: Row }[] = [];
    for (const [jobKey, patch] of mergeJobRunPatches(progress.jobs)) {
      const set = jobRunColumns(patch) as Record<string, Value>;
      const values: Record<string, Value> = { ...JOB_DEFAULTS, ...set, run_id: runId, job_key: jobKey };
      const shape = shapeOf(set);
      let upsert = upserts.get(shape);
      if (upsert === undefined) {
        const columns = Object.keys(values);
        upsert = { sql: upsertJob(columns, Object.keys(set)), columns };
        upserts.set(shape, upsert);
      }
      jobs.push({ sql: upsert.sql, row: upsert.columns.map((c) => values[c] ?? null) });
    }
    try {
      write.immediate(logs, jobs, events);
    } catch (error) {
      throw isForeignKeyViolation(error)
        ? runNotFound(runId, error)
        : toStoreError('saving run progress', error);
    }
    return true;
  };
}
