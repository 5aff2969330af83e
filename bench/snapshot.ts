// bench:snapshot — a database snapshot and a data rollback of a 200 MB PostgreSQL database.
// Builds the database `slipway_bench_snapshot` on the machine's PostgreSQL (SLIPWAY_BENCH_DATABASE_URL,
// default postgres://postgres@127.0.0.1:5432/…): an orders table of 1,000,000 rows (a customer,
// a time, a 100-character note, an amount; indexed on customer) and a customers table of 100,000
// rows, about 200 MB in pg_database_size. Then, in alternating rounds after an untimed warm-up,
// each figure the median of BENCH_ROUNDS (3):
// - snapshot_s: Slipway's snapshot (pg_dump in an exported snapshot, the row counts of every table
//   in the same snapshot, the file's SHA-256);
// - floor_snapshot_s: bare `pg_dump -Fc -f FILE`;
// - restore_s: Slipway's restore (checksum check, a new database, pg_restore into it, the swap
//   with the live database in one transaction, the old one dropped);
// - floor_restore_s: bare `createdb` of a new database and `pg_restore -d` of the floor's dump.
// Prints {"bench":"snapshot","db_mb":..,"snapshot_s":..,"restore_s":..,"floor_snapshot_s":..,
// "floor_restore_s":..,"ratio":..} where ratio is the larger of the two ratios; exits 1 when it is
// above 1.2. Run: npm run bench:snapshot.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { parseDatabaseUrl, type ServerTarget } from '../src/databases/database-target.js';
import { PostgresEngine } from '../src/databases/postgres-engine.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET_RATIO = 1.2;
const NAME = 'slipway_bench_snapshot';
const SERVER = process.env.SLIPWAY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (line: string) => process.stderr.write(`bench:snapshot: ${line}\n`);

const target = parseDatabaseUrl(SERVER.replace(/\/[^/]*$/, `/${NAME}`), process.cwd()) as ServerTarget;
const conn = ['-h', target.host, '-p', String(target.port), '-U', target.user];
const env = { ...process.env, ...(target.password ? { PGPASSWORD: target.password } : {}) };

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: 'postgres',
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function build(): Promise<number> {
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${NAME}`);
  });
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: NAME,
  });
  await client.connect();
  try {
    await client.query(
      `CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text NOT NULL)`,
    );
    await client.query(
      `INSERT INTO customers SELECT g, md5(g::text), md5(random()::text) || '@example.test' FROM generate_series(1, 100000) g`,
    );
    await client.query(`CREATE TABLE orders (id bigserial PRIMARY KEY, customer int NOT NULL, placed_at timestamptz NOT NULL,
      note text, total numeric(12,2))`);
    await client.query(`INSERT INTO orders (customer, placed_at, note, total)
      SELECT 1 + (random() * 99999)::int, now() - random() * interval '900 days',
             md5(random()::text) || md5(random()::text) || ' ' || md5(random()::text), (random() * 1000)::numeric(12,2)
      FROM generate_series(1, 1000000)`);
    await client.query('CREATE INDEX orders_customer ON orders (customer)');
    await client.query('VACUUM ANALYZE');
    const { rows } = await client.query<{ mb: string }>(
      `SELECT pg_database_size(current_database()) / 1048576 AS mb`,
    );
    return Number(rows[0]?.mb);
  } finally {
    await client.end();
  }
}

function timed(work: () => void): number {
  const start = performance.now();
  work();
  return (performance.now() - start) / 1000;
}

async function timedAsync(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-snapshot-'));
const floorCopy = `${NAME}_floor`;
try {
  log('building a 200 MB database');
  const dbMb = await build();
  log(`${dbMb} MB`);
  const engine = new PostgresEngine(target);
  const figures = {
    snapshot: [] as number[],
    restore: [] as number[],
    floorSnapshot: [] as number[],
    floorRestore: [] as number[],
  };
  for (let round = 0; round <= ROUNDS; round++) {
    const ours = join(dir, `slipway-${round}.dump`);
    const floor = join(dir, `floor-${round}.dump`);
    let snapshot = 0;
    let sha = '';
    const floorSnapshot = timed(() => execFileSync('pg_dump', [...conn, '-Fc', '-f', floor, NAME], { env }));
    snapshot = await timedAsync(async () => {
      sha = (await engine.snapshot(ours)).sha256;
    });
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${floorCopy} WITH (FORCE)`));
    const floorRestore = timed(() => {
      execFileSync('createdb', [...conn, floorCopy], { env });
      execFileSync('pg_restore', [...conn, '-d', floorCopy, floor], { env });
    });
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${floorCopy} WITH (FORCE)`));
    const restore = await timedAsync(() => engine.restore(ours, sha));
    rmSync(ours);
    rmSync(floor);
    log(
      `${round === 0 ? 'warm-up' : `round ${round}`}: snapshot ${snapshot.toFixed(2)} s (floor ${floorSnapshot.toFixed(2)}), restore ${restore.toFixed(2)} s (floor ${floorRestore.toFixed(2)})`,
    );
    if (round === 0) continue;
    figures.snapshot.push(snapshot);
    figures.restore.push(restore);
    figures.floorSnapshot.push(floorSnapshot);
    figures.floorRestore.push(floorRestore);
  }
  const result = {
    snapshot_s: median(figures.snapshot),
    restore_s: median(figures.restore),
    floor_snapshot_s: median(figures.floorSnapshot),
    floor_restore_s: median(figures.floorRestore),
  };
  const ratio = Math.max(
    result.snapshot_s / result.floor_snapshot_s,
    result.restore_s / result.floor_restore_s,
  );
  const round3 = (n: number) => Math.round(n * 1000) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'snapshot',
      db_mb: dbMb,
      snapshot_s: round3(result.snapshot_s),
      restore_s: round3(result.restore_s),
      floor_snapshot_s: round3(result.floor_snapshot_s),
      floor_restore_s: round3(result.floor_restore_s),
      ratio: round3(ratio),
    })}\n`,
  );
  if (ratio > TARGET_RATIO) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${floorCopy} WITH (FORCE)`);
    await c.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  });
}
