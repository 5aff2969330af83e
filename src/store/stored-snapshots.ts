// The database snapshot part of the store contract: each snapshot's file, checksum and row counts.

/** Why a snapshot was taken. */
export type SnapshotReason = 'before-migrations' | 'before-deploy' | 'manual';

/** One recorded database snapshot. */
export interface StoredSnapshot {
  readonly id: number;
  readonly environment: string;
  /** The database's name in the environment's `databases:`. */
  readonly database: string;
  readonly engine: 'postgres' | 'mariadb' | 'sqlite';
  /** The service whose deploy took it, the revision that deploy brought, and the one it replaced. */
  readonly service: string | null;
  readonly revision: string | null;
  readonly stableRevision: string | null;
  readonly reason: SnapshotReason;
  /** The snapshot file (absolute), its dump format, size and SHA-256. */
  readonly file: string;
  readonly format: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Each table's row count when the snapshot was taken. */
  readonly tables: Readonly<Record<string, number>>;
  readonly createdBy: string;
  readonly createdAt: number;
  /** When retention deleted its file, and when it was last restored. */
  readonly prunedAt: number | null;
  readonly restoredAt: number | null;
}

/** A snapshot to record. */
export type NewSnapshot = Omit<StoredSnapshot, 'id' | 'createdAt' | 'prunedAt' | 'restoredAt'>;

/** Which snapshots to list: newest first; pruned ones only when asked. */
export interface SnapshotFilter {
  readonly environment?: string;
  readonly database?: string;
  readonly includePruned?: boolean;
}

/** The store operations of database snapshots. */
export interface SnapshotOperations {
  recordSnapshot(snapshot: NewSnapshot): Promise<StoredSnapshot>;
  listSnapshots(filter?: SnapshotFilter): Promise<StoredSnapshot[]>;
  getSnapshot(id: number): Promise<StoredSnapshot | undefined>;
  /** Marks a snapshot's file as deleted by retention. */
  markSnapshotPruned(id: number): Promise<void>;
  /** Records that the snapshot was restored. */
  markSnapshotRestored(id: number): Promise<void>;
}
