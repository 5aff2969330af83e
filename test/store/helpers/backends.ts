// Test harness: fresh, isolated stores on every backend, with raw SQL access for below-the-API checks.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { Clock, Store, StoreBackend } from '../../../src/store/store.js';

/** The real PostgreSQL the suite runs against; unreachable means failing tests, never skipped ones. */
export const PG_URL = process.env.SLIPWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Where a fresh store lives, enough for a child process or a raw connection to reach it. */
export type StoreLocation =
  | { readonly backend: 'sqlite'; readonly file: string }
  | { readonly backend: 'postgres'; readonly url: string; readonly schema: string };

/** A fresh store and where it lives (for rawQuery and child processes). */
export interface FreshStore {
  readonly store: Store;
  readonly location: StoreLocation;
}

/** One backend under test; `cleanup` closes what `fresh` opened and drops temp dirs and schemas. */
export interface Backend {
  readonly name: StoreBackend;
  /** A location nobody has opened yet (a file in a new folder, a schema that does not exist). */
  location(): Promise<StoreLocation>;
  fresh(clock?: Clock): Promise<FreshStore>;
  cleanup(): Promise<void>;
}

/** A clock tests move by hand. */
export interface FakeClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

/** Creates a FakeClock starting at `start` epoch milliseconds. */
export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let current = start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

/** Opens the store at `location`. */
export function openAt(location: StoreLocation, clock: Clock = fakeClock()): Promise<Store> {
  return location.backend === 'sqlite'
    ? openSqliteStore({ file: location.file, clock })
    : openPostgresStore({ url: location.url, schema: location.schema, clock });
}

/** Runs one raw SQL statement outside the store and returns its rows. */
export async function rawQuery(location: StoreLocation, text: string): Promise<Record<string, unknown>[]> {
  if (location.backend === 'sqlite') {
    const database = new BetterSqlite3(location.file);
    try {
      const statement = database.prepare(text);
      if (statement.reader) return statement.all() as Record<string, unknown>[];
      statement.run();
      return [];
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({
    connectionString: location.url,
    options: `-c search_path=${location.schema}`,
  });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

function sqliteBackend(): Backend {
  const dirs: string[] = [];
  const stores: Store[] = [];
  const location = async (): Promise<StoreLocation> => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-store-'));
    dirs.push(dir);
    return { backend: 'sqlite', file: join(dir, '.slipway', 'state.db') };
  };
  return {
    name: 'sqlite',
    location,
    async fresh(clock) {
      const where = await location();
      const store = await openAt(where, clock);
      stores.push(store);
      return { store, location: where };
    },
    async cleanup() {
      await Promise.allSettled(stores.map((store) => store.close()));
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

function postgresBackend(): Backend {
  // One schema prefix per test file run, one schema per fresh store, all dropped at the end.
  const prefix = `slipway_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const schemas: string[] = [];
  const stores: Store[] = [];
  const location = async (): Promise<StoreLocation> => {
    const schema = `${prefix}_${schemas.length}`;
    schemas.push(schema);
    return { backend: 'postgres', url: PG_URL, schema };
  };
  return {
    name: 'postgres',
    location,
    async fresh(clock) {
      const where = await location();
      const store = await openAt(where, clock);
      stores.push(store);
      return { store, location: where };
    },
    async cleanup() {
      await Promise.allSettled(stores.map((store) => store.close()));
      if (schemas.length === 0) return;
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Every backend the contract suite runs against, freshly created per test file. */
export function createBackends(): Backend[] {
  return [sqliteBackend(), postgresBackend()];
}
