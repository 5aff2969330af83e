// Kysely's SQLite dialect with transactions that take the write lock up front (BEGIN IMMEDIATE).

import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';

/**
 * A deferred BEGIN that reads before it writes fails at once with SQLITE_BUSY when another
 * process wrote in between; BEGIN IMMEDIATE instead waits for the lock under busy_timeout.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** SqliteDialect whose transactions start with BEGIN IMMEDIATE, so concurrent slipway processes queue up. */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** Most prepared statements kept per connection; queries are few shapes, so this is plenty. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Wraps a better-sqlite3 database so each distinct SQL text is prepared once. Kysely prepares
 * every query anew, which costs more than running it for the small writes a pipeline makes.
 */
export function withStatementCache(database: BetterSqlite3.Database): SqliteDialectConfig['database'] {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  } as SqliteDialectConfig['database'];
}
