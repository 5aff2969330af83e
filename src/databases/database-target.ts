/**
 * Where a database is: parsed from the URL an environment declares. PostgreSQL
 * (`postgres://`, `postgresql://`), MariaDB/MySQL (`mariadb://`, `mysql://`) and SQLite
 * (`sqlite:relative/or/absolute/path.db`, `sqlite:///absolute.db`).
 */
import { isAbsolute, resolve } from 'node:path';
import { DatabaseError } from './errors.js';

/** The engines Slipway snapshots and restores. */
export type DatabaseKind = 'postgres' | 'mariadb' | 'sqlite';

/** A server database: its URL, and the parts the tools are given separately. */
export interface ServerTarget {
  readonly kind: 'postgres' | 'mariadb';
  readonly url: URL;
  readonly database: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** An SQLite database file. */
export interface SqliteTarget {
  readonly kind: 'sqlite';
  readonly path: string;
}

export type DatabaseTarget = ServerTarget | SqliteTarget;

/** Parses a database URL; a relative SQLite path is resolved against `cwd`. */
export function parseDatabaseUrl(raw: string, cwd: string): DatabaseTarget {
  if (raw.startsWith('sqlite:')) {
    const rest = raw.slice('sqlite:'.length).replace(/^\/\//, '');
    if (rest === '') throw invalid(raw, 'an SQLite URL names a file, e.g. sqlite:data/app.db');
    return { kind: 'sqlite', path: isAbsolute(rest) ? rest : resolve(cwd, rest) };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(raw, 'not a URL (postgres://, mariadb://, mysql:// or sqlite:)');
  }
  const scheme = url.protocol.replace(/:$/, '');
  const kind =
    scheme === 'postgres' || scheme === 'postgresql'
      ? 'postgres'
      : scheme === 'mariadb' || scheme === 'mysql'
        ? 'mariadb'
        : undefined;
  if (!kind) throw invalid(raw, `unsupported scheme '${scheme}' (postgres, mariadb, mysql or sqlite)`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) throw invalid(raw, 'the URL must name one database');
  return {
    kind,
    url,
    database,
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || (kind === 'postgres' ? 5432 : 3306)),
    user: decodeURIComponent(url.username) || (kind === 'postgres' ? 'postgres' : 'root'),
    password: decodeURIComponent(url.password),
  };
}

/** The same server, another database. */
export function withDatabase(target: ServerTarget, database: string): ServerTarget {
  const url = new URL(target.url);
  url.pathname = `/${encodeURIComponent(database)}`;
  return { ...target, url, database };
}

/** A URL safe to print: the password replaced. */
export function displayUrl(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `sqlite:${target.path}`;
  const url = new URL(target.url);
  if (url.password) url.password = '***';
  return url.toString();
}

function invalid(raw: string, why: string): DatabaseError {
  const shown = raw.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  return new DatabaseError('DATABASE_URL_INVALID', `database URL '${shown}': ${why}`);
}
