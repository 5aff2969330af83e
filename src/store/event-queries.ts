// The event log part of the store contract over Kysely: validated appends in id order, filtered reads.
import { type Kysely, type Selectable, sql } from 'kysely';
import type { AtomicWrite } from './atomic-write.js';
import { toStoreError } from './driver-errors.js';
import type { EventType } from './event-types.js';
import { decodeObject } from './json-columns.js';
import type { Database, EventsTable } from './schema.js';
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

/** Validates and inserts one event; with `lock`, in a transaction that holds the append lock first. */
export async function appendEvent(
  db: Kysely<Database>,
  write: AtomicWrite,
  now: number,
  event: NewEvent,
  lock: EventLogLock | undefined,
): Promise<StoredEvent> {
  const row = validateEvent(event, now);
  const insert = async (target: Kysely<Database>) =>
    toStoredEvent(await target.insertInto('events').values(row).returningAll().executeTakeFirstOrThrow());
  try {
    if (lock === undefined) return await insert(db);
    return await write(async (trx) => {
      await lock(trx);
      return insert(trx);
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
      for (let i = 0; i < rows.length; i += EVENT_BATCH) {
        await trx
          .insertInto('events')
          .values(rows.slice(i, i + EVENT_BATCH))
          .execute();
      }
    });
  } catch (error) {
    throw toStoreError('appending events', error);
  }
}

/** `text` as a LIKE pattern that matches itself only (`_` is common in environment names). */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Lists the events matching every field of `filter`, ascending by id. */
export async function listEvents(db: Kysely<Database>, filter: EventFilter): Promise<StoredEvent[]> {
  if (filter.types !== undefined && filter.types.length === 0) return [];
  try {
    let query = db.selectFrom('events').selectAll().orderBy('id', 'asc');
    if (filter.types !== undefined) query = query.where('type', 'in', filter.types);
    if (filter.service !== undefined) query = query.where('service', '=', filter.service);
    const environment = filter.environment;
    if (environment !== undefined)
      query = filter.withRegions
        ? query.where((eb) =>
            eb.or([
              eb('environment', '=', environment),
              sql<boolean>`${eb.ref('environment')} LIKE ${`${likeEscaped(environment)}@%`} ESCAPE '\\'`,
            ]),
          )
        : query.where('environment', '=', environment);
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
