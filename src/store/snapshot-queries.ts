// Queries of the database_snapshots table.
import type { Kysely, Selectable } from 'kysely';
import { toStoreError } from './driver-errors.js';
import { decodeJson, encodeJson } from './json-columns.js';
import type { Database, DatabaseSnapshotsTable } from './schema.js';
import type { NewSnapshot, SnapshotFilter, StoredSnapshot } from './stored-snapshots.js';

function toSnapshot(row: Selectable<DatabaseSnapshotsTable>): StoredSnapshot {
  return {
    id: Number(row.id),
    environment: row.environment,
    database: row.database,
    engine: row.engine as StoredSnapshot['engine'],
    service: row.service,
    revision: row.revision,
    stableRevision: row.stable_revision,
    reason: row.reason as StoredSnapshot['reason'],
    file: row.file,
    format: row.format,
    bytes: Number(row.bytes),
    sha256: row.sha256,
    tables: decodeJson(row.tables) as Record<string, number>,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    prunedAt: row.pruned_at === null ? null : Number(row.pruned_at),
    restoredAt: row.restored_at === null ? null : Number(row.restored_at),
  };
}

export async function recordSnapshot(
  db: Kysely<Database>,
  now: number,
  s: NewSnapshot,
): Promise<StoredSnapshot> {
  try {
    const row = await db
      .insertInto('database_snapshots')
      .values({
        environment: s.environment,
        database: s.database,
        engine: s.engine,
        service: s.service,
        revision: s.revision,
        stable_revision: s.stableRevision,
        reason: s.reason,
        file: s.file,
        format: s.format,
        bytes: s.bytes,
        sha256: s.sha256,
        tables: encodeJson(s.tables, 'snapshot tables'),
        created_by: s.createdBy,
        created_at: now,
        pruned_at: null,
        restored_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSnapshot(row);
  } catch (error) {
    throw toStoreError('recording a database snapshot', error);
  }
}

export async function listSnapshots(
  db: Kysely<Database>,
  filter: SnapshotFilter = {},
): Promise<StoredSnapshot[]> {
  let query = db.selectFrom('database_snapshots').selectAll();
  if (filter.environment !== undefined) query = query.where('environment', '=', filter.environment);
  if (filter.database !== undefined) query = query.where('database', '=', filter.database);
  if (!filter.includePruned) query = query.where('pruned_at', 'is', null);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map((row) => toSnapshot(row));
}

export async function getSnapshot(db: Kysely<Database>, id: number): Promise<StoredSnapshot | undefined> {
  const row = await db.selectFrom('database_snapshots').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSnapshot(row) : undefined;
}

export async function markSnapshot(
  db: Kysely<Database>,
  now: number,
  id: number,
  column: 'pruned_at' | 'restored_at',
): Promise<void> {
  await db
    .updateTable('database_snapshots')
    .set({ [column]: now })
    .where('id', '=', id)
    .execute();
}
