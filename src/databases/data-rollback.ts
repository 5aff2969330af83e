/**
 * A data rollback: the snapshots taken before the deploy being undone, what restoring them loses
 * (row counts now against the snapshot's), and the restores themselves, one database at a time,
 * each all or nothing.
 */
import type { ResolvedDatabase } from '../config/databases-schema.js';
import type { Store } from '../store/store.js';
import type { StoredSnapshot } from '../store/stored-snapshots.js';
import { dataLoss, type TableLoss } from './data-loss.js';
import type { DatabaseEngine } from './database-engine.js';
import { expandDatabaseUrl } from './database-url.js';
import { DatabaseError } from './errors.js';
import { openEngine } from './open-engine.js';

/** One database to restore: its snapshot and what restoring it loses. */
export interface DataRollbackEntry {
  readonly database: ResolvedDatabase;
  readonly snapshot: StoredSnapshot;
  readonly losses: readonly TableLoss[];
  readonly engine: DatabaseEngine;
}

/** Which deploy is undone, and how to reach the databases. */
export interface DataRollbackInput {
  readonly store: Store;
  readonly projectDir: string;
  readonly environment: string;
  readonly databases: readonly ResolvedDatabase[];
  readonly service: string;
  /** The revision serving now: the snapshots taken before it was deployed are restored. */
  readonly revision: string;
  readonly secret: (name: string) => string | undefined;
}

/** The snapshots taken before `revision` of `service` was deployed, with the loss of each. */
export async function planDataRollback(input: DataRollbackInput): Promise<DataRollbackEntry[]> {
  const entries: DataRollbackEntry[] = [];
  for (const database of input.databases) {
    const snapshot = (
      await input.store.listSnapshots({ environment: input.environment, database: database.name })
    ).find((s) => s.service === input.service && s.revision === input.revision);
    if (!snapshot) continue;
    const engine = openEngine(expandDatabaseUrl(database.url, input.secret), input.projectDir);
    entries.push({ database, snapshot, engine, losses: dataLoss(snapshot.tables, await engine.rowCounts()) });
  }
  if (entries.length === 0)
    throw new DatabaseError(
      'SNAPSHOT_NOT_FOUND',
      `no snapshot of ${input.environment}'s databases was taken before ${input.service} ${input.revision} was deployed (see slipway snapshots list --env ${input.environment}); nothing was changed`,
    );
  return entries;
}

/**
 * Restores each entry's snapshot in order. A failed restore leaves its database as it was and
 * stops; the error names the databases already restored.
 */
export async function restoreData(
  entries: readonly DataRollbackEntry[],
  store: Store,
  actor: string,
  onLine: (line: string) => void = () => {},
): Promise<void> {
  const done: string[] = [];
  for (const entry of entries) {
    const started = Date.now();
    try {
      await entry.engine.restore(entry.snapshot.file, entry.snapshot.sha256);
    } catch (error) {
      const message = (error as Error).message;
      const before = done.length > 0 ? ` (already restored: ${done.join(', ')})` : '';
      throw new DatabaseError(
        error instanceof DatabaseError ? error.code : 'RESTORE_FAILED',
        `restoring ${entry.database.name} from snapshot ${entry.snapshot.id} failed${before}: ${message}`,
        { cause: error },
      );
    }
    await store.markSnapshotRestored(entry.snapshot.id);
    await store.appendEvent({
      type: 'database.restored',
      actor,
      environment: entry.snapshot.environment,
      service: entry.snapshot.service,
      subject: entry.database.name,
      data: { snapshot: entry.snapshot.id, revision: entry.snapshot.revision, losses: entry.losses },
    });
    done.push(entry.database.name);
    onLine(
      `${entry.database.name}: restored snapshot ${entry.snapshot.id} (${new Date(entry.snapshot.createdAt).toISOString()}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
}
