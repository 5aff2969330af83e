/**
 * Snapshots an environment's databases before a deploy, records each with its checksum and row
 * counts, and deletes the files beyond each database's retention. The policy decides which: every
 * database `before-deploy`, those `before-migrations` only when the deploy migrates.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedDatabase } from '../config/databases-schema.js';
import type { Store } from '../store/store.js';
import type { SnapshotReason, StoredSnapshot } from '../store/stored-snapshots.js';
import { expandDatabaseUrl } from './database-url.js';
import { openEngine } from './open-engine.js';

/** What a snapshot before a deploy is about. */
export interface SnapshotRequest {
  readonly store: Store;
  readonly projectDir: string;
  /** Where snapshot files go: `<dir>/<environment>/<database>/`. */
  readonly dir: string;
  readonly environment: string;
  readonly databases: readonly ResolvedDatabase[];
  readonly secret: (name: string) => string | undefined;
  readonly actor: string;
  readonly service: string | null;
  readonly revision: string | null;
  readonly stableRevision: string | null;
  /** `manual` takes every database; a deploy passes whether it runs migrations. */
  readonly reason: 'manual' | { readonly migrates: boolean };
  readonly onLine?: (line: string) => void;
}

const EXTENSION = { postgres: 'dump', mariadb: 'sql', sqlite: 'db' } as const;

/** The databases a request snapshots, with the reason recorded. */
export function databasesToSnapshot(
  databases: readonly ResolvedDatabase[],
  reason: SnapshotRequest['reason'],
): { database: ResolvedDatabase; reason: SnapshotReason }[] {
  if (reason === 'manual') return databases.map((database) => ({ database, reason: 'manual' }));
  return databases.flatMap((database): { database: ResolvedDatabase; reason: SnapshotReason }[] =>
    database.snapshot === 'before-deploy'
      ? [{ database, reason: 'before-deploy' as const }]
      : database.snapshot === 'before-migrations' && reason.migrates
        ? [{ database, reason: 'before-migrations' as const }]
        : [],
  );
}

/** Takes, records and prunes the snapshots; the first failure stops the deploy with its error. */
export async function takeSnapshots(request: SnapshotRequest): Promise<StoredSnapshot[]> {
  const taken: StoredSnapshot[] = [];
  for (const { database, reason } of databasesToSnapshot(request.databases, request.reason)) {
    const engine = openEngine(expandDatabaseUrl(database.url, request.secret), request.projectDir);
    const folder = join(request.dir, request.environment, database.name);
    mkdirSync(folder, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(folder, `${stamp}-${request.revision ?? 'manual'}.${EXTENSION[engine.kind]}`);
    const started = Date.now();
    let result: Awaited<ReturnType<typeof engine.snapshot>>;
    try {
      result = await engine.snapshot(file);
    } catch (error) {
      rmSync(file, { force: true });
      throw error;
    }
    const snapshot = await request.store.recordSnapshot({
      environment: request.environment,
      database: database.name,
      engine: engine.kind,
      service: request.service,
      revision: request.revision,
      stableRevision: request.stableRevision,
      reason,
      file,
      format: result.format,
      bytes: result.bytes,
      sha256: result.sha256,
      tables: result.tables,
      createdBy: request.actor,
    });
    await request.store.appendEvent({
      type: 'database.snapshotted',
      actor: request.actor,
      environment: request.environment,
      service: request.service,
      subject: database.name,
      data: {
        snapshot: snapshot.id,
        reason,
        bytes: result.bytes,
        sha256: result.sha256,
        tables: result.tables,
      },
    });
    request.onLine?.(
      `snapshot ${snapshot.id} of ${database.name} (${engine.kind}, ${formatBytes(result.bytes)}, ${Object.keys(result.tables).length} tables) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    taken.push(snapshot);
    await prune(request, database);
  }
  return taken;
}

/** Deletes the files of the snapshots beyond the newest `retain` of a database. */
async function prune(request: SnapshotRequest, database: ResolvedDatabase): Promise<void> {
  const kept = await request.store.listSnapshots({
    environment: request.environment,
    database: database.name,
  });
  for (const old of kept.slice(database.retain)) {
    rmSync(old.file, { force: true });
    await request.store.markSnapshotPruned(old.id);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
