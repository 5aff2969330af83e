// Picks and opens the state store backend: SQLite in the project, or PostgreSQL when given a URL.
import { join } from 'node:path';
import { StoreError } from './errors.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Clock, Store } from './store.js';

/** Options of openStore. */
export interface OpenStoreOptions {
  /** Project root; the SQLite file lives at `<projectDir>/.slipway/state.db`. */
  readonly projectDir: string;
  /** postgres:// or postgresql:// URL (the CLI passes SLIPWAY_DATABASE_URL); empty or absent means SQLite. */
  readonly databaseUrl?: string | undefined;
  /** Time source for stored timestamps; defaults to Date.now. */
  readonly clock?: Clock;
}

/** Path of the embedded database inside a project. */
export function sqliteStatePath(projectDir: string): string {
  return join(projectDir, '.slipway', 'state.db');
}

const systemClock: Clock = { now: () => Date.now() };

/** Opens the store for a project, applying pending migrations; throws StoreError BAD_DATABASE_URL on other URLs. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const clock = options.clock ?? systemClock;
  const url = options.databaseUrl?.trim() ?? '';
  if (url === '') return openSqliteStore({ file: sqliteStatePath(options.projectDir), clock });
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    const scheme = url.includes('://') ? url.slice(0, url.indexOf('://') + 3) : url.slice(0, 20);
    throw new StoreError(
      'BAD_DATABASE_URL',
      `unsupported database URL (${scheme}...): use postgres:// or postgresql://, or unset it to use SQLite in .slipway/state.db`,
    );
  }
  // Loaded only when asked for: the PostgreSQL driver is not needed for SQLite projects.
  const { openPostgresStore } = await import('./postgres/postgres-store.js');
  return openPostgresStore({ url, clock });
}
