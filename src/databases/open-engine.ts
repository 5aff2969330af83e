/** The engine for a database URL. */
import type { DatabaseEngine } from './database-engine.js';
import { type DatabaseTarget, parseDatabaseUrl } from './database-target.js';
import { MariadbEngine } from './mariadb-engine.js';
import { PostgresEngine } from './postgres-engine.js';
import { SqliteEngine } from './sqlite-engine.js';

/** The engine of a parsed target. */
export function engineFor(target: DatabaseTarget): DatabaseEngine {
  switch (target.kind) {
    case 'postgres':
      return new PostgresEngine(target);
    case 'mariadb':
      return new MariadbEngine(target);
    case 'sqlite':
      return new SqliteEngine(target);
  }
}

/** The engine of a database URL; relative SQLite paths are resolved against `cwd`. */
export function openEngine(url: string, cwd: string): DatabaseEngine {
  return engineFor(parseDatabaseUrl(url, cwd));
}
