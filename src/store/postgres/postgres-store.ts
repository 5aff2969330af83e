// Opens the PostgreSQL store: pool, schema, migrations under an advisory lock, event-log append lock.
import { Kysely, sql } from 'kysely';
import type pg from 'pg';
import { StoreError } from '../errors.js';
import { createKyselyStore } from '../kysely-store.js';
import { migrateToLatest } from '../migrations.js';
import type { Database } from '../schema.js';
import type { Clock, Store } from '../store.js';
import { createPool, createPostgresDialect } from './postgres-dialect.js';

/** Advisory lock namespaces (first int4 key; the second is a hash of the schema name). */
const MIGRATION_LOCK = 0x534c5701;
const EVENT_LOG_LOCK = 0x534c5702;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Options of openPostgresStore. */
export interface PostgresStoreOptions {
  /** A postgres:// or postgresql:// URL. */
  readonly url: string;
  readonly clock: Clock;
  /** Schema for every table, created if missing and put on search_path; tests use one per run. */
  readonly schema?: string;
}

/** Hides the password of a database URL for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

async function connect(pool: pg.Pool, url: string): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError('OPEN_FAILED', `cannot connect to PostgreSQL at ${redactUrl(url)}: ${reason}`, {
      cause: error,
    });
  }
}

/**
 * Creates the schema and applies migrations while holding a session advisory lock on a
 * dedicated connection, so processes opening a fresh database at once migrate one at a time.
 */
async function migrateUnderLock(pool: pg.Pool, db: Kysely<Database>, options: PostgresStoreOptions) {
  const client = await connect(pool, options.url);
  const lockArgs = [MIGRATION_LOCK, options.schema ?? ''];
  try {
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', lockArgs);
    try {
      if (options.schema !== undefined) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(options.schema)}`);
      }
      const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
      const schema = rows[0]?.schema ?? undefined;
      await migrateToLatest(db as Kysely<unknown>, 'postgres', schema === undefined ? {} : { schema });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', lockArgs);
    }
  } finally {
    client.release();
  }
}

/** Opens (and migrates) the store in the PostgreSQL database at `options.url`. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new StoreError(
      'BAD_SCHEMA_NAME',
      `schema ${JSON.stringify(options.schema)} must be a lowercase identifier (letters, digits, _)`,
    );
  }
  const pool = createPool(options);
  const db = new Kysely<Database>({ dialect: createPostgresDialect(pool) });
  try {
    await migrateUnderLock(pool, db, options);
  } catch (error) {
    await db.destroy();
    if (error instanceof StoreError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError('OPEN_FAILED', `opening the PostgreSQL store failed: ${reason}`, { cause: error });
  }
  const schemaKey = options.schema ?? '';
  return createKyselyStore(db, {
    backend: 'postgres',
    clock: options.clock,
    lockEventLog: async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${EVENT_LOG_LOCK}, hashtext(${schemaKey}))`.execute(trx);
    },
  });
}
