// The event log part of the store contract over Kysely: validated appends in id order, filtered reads.
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { AtomicWrite } from './atomic-write.js';
import { toStoreError } from './driver-errors.js';
import type { EventType } from './event-types.js';
import { decodeObject } from './json-columns.js';
import type { Database, EventsTable, PipelineDurationsTable } from './schema.js';
import type { EventFilter, NewEvent, StoredEvent } from './store.js';
import { validateEvent } from './validate-event.js';

/** Holds the event log's append lock until the transaction `trx` ends. */
export type EventLogLock = (trx: Kysely<Database>) => Promise<void>;

/** Maps an events row. */
function toStoredEvent(row: Selectable<EventsTable>): StoredEvent {
  return {
    id: row.id,
    type: row.type as EventType,
    time: row.time,
    actor: row.actor,
    commitSha: row.commit_sha,
    service: row.service,
    environment: row.environment,
    runId: row.run_id,
    subject: row.subject,
    data: decodeObject(row.data),
  };
}

/** The pipeline_durations row of a stored `pipelinerun.finished` event. */
function durationRow({ id, time, data }: StoredEvent): Insertable<PipelineDurationsTable> {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    event_id: id,
    time,
    duration_ms:
      typeof data.durationMs === 'number' && Number.isFinite(data.durationMs) ? data.durationMs : null,
    status: text(data.status),
    pipeline: text(data.pipeline),
  };
}

/** Inserts one event row (and its projection, for a finished pipeline run) and returns it. */
async function insertOne(target: Kysely<Database>, row: Insertable<EventsTable>): Promise<StoredEvent> {
  const stored = toStoredEvent(
    await target.insertInto('events').values(row).returningAll().executeTakeFirstOrThrow(),
  );
  if (stored.type === 'pipelinerun.finished')
    await target.insertInto('pipeline_durations').values(durationRow(stored)).execute();
  return stored;
}

/** Validates and inserts one event; with `lock`, in a transaction that holds the append lock first. */
export async function appendEvent(
  db: Kysely<Database>,
  write: AtomicWrite,
  now: number,
  event: NewEvent,
  lock: EventLogLock | undefined,
): Promise<StoredEvent> {
  const row = validateEvent(event, now);
  try {
    // A finished pipeline run writes its projection too: both or neither.
    if (lock === undefined && row.type !== 'pipelinerun.finished') return await insertOne(db, row);
    if (lock === undefined) return await write((trx) => insertOne(trx, row));
    return await write(async (trx) => {
      await lock(trx);
      return insertOne(trx, row);
    });
  } catch (error) {
    throw toStoreError('appending an event', error);
  }
}

/** Rows per INSERT when appending events; stays far below both backends' bound-parameter limits. */
const EVENT_BATCH = 500;

/**
 * Validates every event, then inserts them in order, all or none, in as few statements as the
 * parameter limits allow: a run's per-job events cost one statement per batch, not one each.
 */
export async function appendEvents(
  write: AtomicWrite,
  now: number,
  events: readonly NewEvent[],
  lock: EventLogLock | undefined,
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((event) => validateEvent(event, now));
  try {
    await write(async (trx) => {
      if (lock !== undefined) await lock(trx);
      // Batches of plain rows; a finished pipeline run goes in on its own, with its projection.
      let batch: Insertable<EventsTable>[] = [];
      const flush = async () => {
        if (batch.length > 0) await trx.insertInto('events').values(batch).execute();
        batch = [];
      };
      for (const row of rows) {
        if (row.type === 'pipelinerun.finished') {
          await flush();
          await insertOne(trx, row);
          continue;
        }
        batch.push(row);
        if (batch.length === EVENT_BATCH) await flush();
      }
      await flush();
    });
  } catch (error) {
    throw toStoreError('appending events', error);
  }
}

/** Lists the events matching every field of `filter`, ascending by id. */
export async function listEvents(db: Kysely<Database>, filter: EventFilter): Promise<StoredEvent[]> {
  if (filter.types !== undefined && filter.types.length === 0) return [];
  try {
    let query = db.selectFrom('events').selectAll().orderBy('id', 'asc');
    if (filter.types !== undefined) query = query.where('type', 'in', filter.types);
    if (filter.service !== undefined) query = query.where('service', '=', filter.service);
    if (filter.environment !== undefined) query = query.where('environment', '=', filter.environment);
    if (filter.runId !== undefined) query = query.where('run_id', '=', filter.runId);
    if (filter.commitSha !== undefined) query = query.where('commit_sha', '=', filter.commitSha);
    const project = filter.project;
    if (project !== undefined)
      query = query.where((eb) => {
        const ofRuns = eb(
          'run_id',
          'in',
          eb.selectFrom('runs').select('id').where('pipeline', '=', project.pipeline),
        );
        return project.runlessToo ? eb.or([ofRuns, eb('run_id', 'is', null)]) : ofRuns;
      });
    if (filter.since !== undefined) query = query.where('time', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('time', '<', filter.until);
    if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(toStoredEvent);
  } catch (error) {
    throw toStoreError('listing events', error);
  }
}
