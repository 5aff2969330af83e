// The two reads the delivery metrics make, narrowed to what they use: a window's deploy and
// incident events without the columns the figures never look at, and its pipeline run durations
// from their projection (pipeline_durations, written with each pipelinerun.finished event).
import { type Kysely, sql } from 'kysely';
import { toStoreError } from './driver-errors.js';
import type { EventType } from './event-types.js';
import { decodeObject } from './json-columns.js';
import type { Database } from './schema.js';

/** An event as the delivery figures read it. */
export interface DeliveryEvent {
  readonly id: number;
  readonly type: EventType;
  readonly time: number;
  readonly service: string | null;
  readonly environment: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Which deploy and incident events: of `types` in [since, until), in `environment` and its regions' scopes. */
export interface DeliveryEventFilter {
  readonly types: readonly EventType[];
  readonly environment: string;
  readonly service?: string;
  readonly since: number;
  readonly until: number;
}

/** A finished pipeline run (not cancelled). */
export interface PipelineDuration {
  readonly time: number;
  readonly durationMs: number;
  readonly status: string;
  readonly pipeline: string | null;
}

/** `text` as a LIKE pattern that matches itself only. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Deploy and incident events of a window, ascending by id. */
export async function listDeliveryEvents(
  db: Kysely<Database>,
  filter: DeliveryEventFilter,
): Promise<DeliveryEvent[]> {
  if (filter.types.length === 0) return [];
  try {
    let query = db
      .selectFrom('events')
      .select(['id', 'type', 'time', 'service', 'environment', 'data'])
      .where('type', 'in', filter.types)
      .where('time', '>=', filter.since)
      .where('time', '<', filter.until)
      .where((eb) =>
        eb.or([
          eb('environment', '=', filter.environment),
          sql<boolean>`${eb.ref('environment')} LIKE ${`${likeEscaped(filter.environment)}@%`} ESCAPE '\\'`,
        ]),
      );
    if (filter.service !== undefined) query = query.where('service', '=', filter.service);
    const rows = await query.execute();
    // Sorted here: a database sort of these wide rows costs more than reading them.
    rows.sort((a, b) => a.id - b.id);
    return rows.map((row) => ({ ...row, type: row.type as EventType, data: decodeObject(row.data) }));
  } catch (error) {
    throw toStoreError('listing delivery events', error);
  }
}

/** The durations of the pipeline runs that finished in [since, until), optionally of one pipeline, in time order. */
export async function listPipelineDurations(
  db: Kysely<Database>,
  window: { readonly since: number; readonly until: number; readonly pipeline?: string },
): Promise<PipelineDuration[]> {
  try {
    let query = db
      .selectFrom('pipeline_durations')
      .select(['time', 'duration_ms', 'status', 'pipeline'])
      .where('time', '>=', window.since)
      .where('time', '<', window.until)
      .where('duration_ms', 'is not', null)
      .where('status', 'is not', null)
      .where('status', '!=', 'cancelled')
      .orderBy('time');
    if (window.pipeline !== undefined) query = query.where('pipeline', '=', window.pipeline);
    const rows = await query.execute();
    return rows.map((row) => ({
      time: Number(row.time),
      durationMs: Number(row.duration_ms),
      status: row.status as string,
      pipeline: row.pipeline,
    }));
  } catch (error) {
    throw toStoreError('listing pipeline durations', error);
  }
}
