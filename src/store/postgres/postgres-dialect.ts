// The pg Pool and Kysely dialect behind the PostgreSQL store: type parsers, search_path, scoped introspection.
import { type DatabaseIntrospector, type Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { CurrentSchemaIntrospector } from './postgres-introspector.js';

const { INT8, JSON: JSON_OID, JSONB } = pg.types.builtins;

/**
 * Per-pool type parsers (never the global pg.types registry): int8 columns (ids, epoch
 * milliseconds, counts) come back as numbers instead of strings, and json/jsonb as raw text
 * so the shared row mapping parses JSON the same way on both backends.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8) return (value: string) => Number(value);
    if (oid === JSON_OID || oid === JSONB) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** Connection settings of the PostgreSQL store. */
export interface PostgresPoolOptions {
  readonly url: string;
  /** Schema to put first on search_path; must be a plain lowercase identifier. */
  readonly schema?: string;
  readonly maxConnections?: number;
}

/** Creates the pool; idle-client errors are absorbed because the pool replaces the client and the next query reports. */
export function createPool(options: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    types,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 10_000,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  pool.on('error', () => {});
  return pool;
}

/** PostgresDialect whose introspection (used by the Migrator) stays inside the current schema. */
class CurrentSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}

/** Kysely's PostgreSQL dialect over `pool`, introspecting only the current schema. */
export function createPostgresDialect(pool: pg.Pool): PostgresDialect {
  return new CurrentSchemaPostgresDialect({ pool });
}
