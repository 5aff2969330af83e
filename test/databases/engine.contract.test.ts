// The database engine contract, run against the machine's real PostgreSQL and MariaDB and a real SQLite
// file: a snapshot with row counts, a restore that brings back rows and schema, and restores that fail
// (a corrupt file, a dump that breaks halfway, what MariaDB cannot move) changing nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DatabaseEngine } from '../../src/databases/database-engine.js';
import { fileDigest } from '../../src/databases/file-digest.js';
import { openEngine } from '../../src/databases/open-engine.js';
import { MARIADB_DUMP, PG_DUMP, skipWithout } from '../helpers/outside-program.js';

/** One database under test: its URL, SQL against it, and teardown. */
interface Fixture {
  readonly url: string;
  sql(statement: string): Promise<string[][]>;
  /** Column names of a table, in order. */
  columns(table: string): Promise<string[]>;
  /** Databases on the server whose names start with the fixture's own (leftovers of a restore). */
  leftovers(): Promise<string[]>;
  drop(): Promise<void>;
}

const unique = `slipway_dbtest_${process.pid}_${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), 'slipway-db-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function postgresFixture(): Promise<Fixture> {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${unique}`);
  const url = `postgres://postgres@127.0.0.1:5432/${unique}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const result = await client.query({ text: statement, rowMode: 'array' });
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      return (last?.rows ?? []).map((row: unknown[]) => row.map(String));
    } finally {
      await client.end();
    }
  };
  return {
    url,
    sql: run,
    columns: async (table) =>
      (
        await run(
          `SELECT column_name FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
        )
      ).map(([c]: string[]) => c ?? ''),
    leftovers: async () =>
      (await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE '${unique}_%'`)).rows.map(
        (r) => r.datname,
      ),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${unique} WITH (FORCE)`);
      await admin.end();
    },
  };
}

function mariadb(statement: string, database = ''): string[][] {
  const out = execFileSync(
    'mariadb',
    [
      '-h',
      '127.0.0.1',
      '-u',
      'root',
      '--batch',
      '--skip-column-names',
      '-e',
      statement,
      ...(database ? [database] : []),
    ],
    {
      encoding: 'utf8',
    },
  );
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

async function mariadbFixture(): Promise<Fixture> {
  mariadb(`CREATE DATABASE ${unique}`);
  return {
    url: `mariadb://root@127.0.0.1:3306/${unique}`,
    sql: async (statement) => mariadb(statement, unique),
    columns: async (table) =>
      mariadb(
        `SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='${unique}' AND TABLE_NAME='${table}' ORDER BY ORDINAL_POSITION`,
      ).map(([c]) => c ?? ''),
    leftovers: async () => mariadb(`SHOW DATABASES LIKE '${unique}\\_%'`).map(([d]) => d ?? ''),
    drop: async () => {
      mariadb(`DROP DATABASE IF EXISTS ${unique}`);
    },
  };
}

async function sqliteFixture(): Promise<Fixture> {
  const path = join(dir, `${unique}.db`);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.close();
  const open = () => new Database(path, { fileMustExist: true });
  return {
    url: `sqlite:${path}`,
    sql: async (statement) => {
      const db = open();
      try {
        const parts = statement
          .split(';')
          .map((s) => s.trim())
          .filter((s) => s !== '');
        let rows: string[][] = [];
        for (const part of parts) {
          const prepared = db.prepare(part);
          rows = prepared.reader
            ? (prepared.raw().all() as unknown[][]).map((r) => r.map(String))
            : (prepared.run(), []);
        }
        return rows;
      } finally {
        db.close();
      }
    },
    columns: async (table) => {
      const db = open();
      try {
        return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
      } finally {
        db.close();
      }
    },
    leftovers: async () => [],
    drop: async () => {},
  };
}

const ENGINES = [
  { name: 'postgres', make: postgresFixture, skip: skipWithout(PG_DUMP) },
  { name: 'mariadb', make: mariadbFixture, skip: skipWithout(MARIADB_DUMP) },
  { name: 'sqlite', make: sqliteFixture, skip: false as const },
];

for (const { name, make, skip } of ENGINES) {
  describe(`${name} engine`, { skip }, () => {
    let fixture: Fixture;
    let engine: DatabaseEngine;
    const file = join(dir, `${name}.snapshot`);

    test('a snapshot records each table and its row count', async () => {
      fixture = await make();
      engine = openEngine(fixture.url, dir);
      await fixture.sql('CREATE TABLE accounts (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL)');
      await fixture.sql("INSERT INTO accounts VALUES (1, 'ada'), (2, 'grace'), (3, 'linus')");
      const result = await engine.snapshot(file);
      const key = name === 'postgres' ? 'public.accounts' : 'accounts';
      assert.deepEqual(result.tables, { [key]: 3 });
      assert.equal(result.sha256, (await fileDigest(file)).sha256);
      assert.ok(result.bytes > 0);
    });

    test('a restore brings back the rows and the schema of the snapshot', async () => {
      await fixture.sql('ALTER TABLE accounts ADD COLUMN email VARCHAR(80)');
      await fixture.sql("INSERT INTO accounts VALUES (4, 'barbara', 'b@example.test')");
      await fixture.sql('DELETE FROM accounts WHERE id = 1');
      await fixture.sql('CREATE TABLE audit (id INTEGER PRIMARY KEY)');
      await fixture.sql('INSERT INTO audit VALUES (1)');
      const prefix = name === 'postgres' ? 'public.' : '';
      assert.deepEqual(await engine.rowCounts(), { [`${prefix}accounts`]: 3, [`${prefix}audit`]: 1 });
      const { sha256 } = await fileDigest(file);
      // A client that stays connected (the application) does not stop the restore.
      const live = name === 'postgres' ? new pg.Client({ connectionString: fixture.url }) : undefined;
      await live?.connect();
      live?.on('error', () => {});
      await engine.restore(file, sha256);
      await live?.end().catch(() => {});
      assert.deepEqual(await fixture.sql('SELECT id, name FROM accounts ORDER BY id'), [
        ['1', 'ada'],
        ['2', 'grace'],
        ['3', 'linus'],
      ]);
      assert.deepEqual(await fixture.columns('accounts'), ['id', 'name']);
      assert.deepEqual(await fixture.columns('audit'), []);
      assert.deepEqual(await fixture.leftovers(), [], 'no staging or previous database is left');
    });

    test('a snapshot that does not match its checksum is refused and changes nothing', async () => {
      const { sha256 } = await fileDigest(file);
      await fixture.sql("INSERT INTO accounts VALUES (9, 'kept')");
      const corrupt = join(dir, `${name}.corrupt`);
      writeFileSync(corrupt, readFileSync(file));
      appendFileSync(corrupt, 'x');
      await assert.rejects(engine.restore(corrupt, sha256), { code: 'SNAPSHOT_CORRUPT' });
      assert.equal((await fixture.sql('SELECT count(*) FROM accounts'))[0]?.[0], '4');
    });

    test('a restore that fails halfway leaves the database as it was', async () => {
      const broken = join(dir, `${name}.broken`);
      const bytes = readFileSync(file);
      writeFileSync(broken, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      await assert.rejects(
        engine.restore(broken, (await fileDigest(broken)).sha256),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'RESTORE_FAILED', error.message);
          assert.match(error.message, /not changed/);
          return true;
        },
      );
      assert.equal((await fixture.sql('SELECT count(*) FROM accounts'))[0]?.[0], '4');
      assert.deepEqual(await fixture.leftovers(), []);
    });

    if (name === 'mariadb')
      test('a database with a trigger is refused before anything changes', async () => {
        await fixture.sql(
          'CREATE TRIGGER stamp BEFORE INSERT ON accounts FOR EACH ROW SET NEW.name = NEW.name',
        );
        await assert.rejects(
          engine.restore(file, (await fileDigest(file)).sha256),
          (error: Error & { code?: string }) => {
            assert.equal(error.code, 'RESTORE_UNSUPPORTED');
            assert.match(error.message, /trigger stamp/);
            return true;
          },
        );
        assert.equal((await fixture.sql('SELECT count(*) FROM accounts'))[0]?.[0], '4');
      });

    test('teardown', async () => {
      await fixture.drop();
    });
  });
}
