// bench:metrics — a store holding one year of history for 50 services (about 1,000,000 events:
// pipeline runs and their jobs, some 20,000 deploys with their changes, rollbacks, incidents,
// approvals, the audit trail; bench/lib/delivery-history.ts), on SQLite (the project's
// .slipway/state.db, opened as the CLI opens it) and on PostgreSQL (a schema of its own, dropped at
// the end), then:
// - sqlite_ms, postgres_ms: the 90-day production figures, loadDeliveryMetrics(store, window,
//   { environment: 'production' }, DEFAULT_SLO), median of 9 after a warm-up;
// - floor_sqlite_ms, floor_postgres_ms: one `SELECT service, count(*) ... GROUP BY service` over the
//   same deploy events (the WHERE of the figures' deploy read: the deploy and incident types,
//   production and its regions, the window) on a plain driver connection, median of 9, alternating
//   with the figures' runs;
// - floor_ms is the SQLite floor (the default backend) and ratio the worse of the two backends,
//   each against its own floor: max(sqlite_ms / floor_sqlite_ms, postgres_ms / floor_postgres_ms).
// PostgreSQL gets `VACUUM ANALYZE events` after the fill, what autovacuum does after a bulk load;
// SQLite gets nothing (Slipway never runs ANALYZE there). Both backends must give the same figures,
// which must match what the generator wrote (exit 1 otherwise).
// Prints one JSON line: {"bench":"metrics","events":..,"sqlite_ms":..,"postgres_ms":..,"floor_ms":..,"ratio":..,...}
// Targets: each backend under 1,000 ms and ratio <= 5 (exit 1 when missed). Run: npm run bench:metrics.
import { deepStrictEqual } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { DEFAULT_SLO } from '../src/config/slo-schema.js';
import { DELIVERY_EVENT_TYPES } from '../src/metrics/delivery-facts.js';
import type { DeliveryMetrics } from '../src/metrics/delivery-metrics.js';
import { loadDeliveryMetrics } from '../src/metrics/load-delivery.js';
import { openStore, sqliteStatePath } from '../src/store/open-store.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { NewEvent, Store } from '../src/store/store.js';
import { PG_URL } from '../test/store/helpers/backends.js';
import { DeliveryHistory, type HistoryCounts } from './lib/delivery-history.js';

const DAY = 86_400_000;
const DAYS = 365;
const SERVICES = 50;
const SEED = 20_240_601;
const WINDOW_DAYS = 90;
const RUNS = 9;
/** Events per appendEvents call during the fill (it inserts them 500 rows per statement). */
const FILL_BATCH = 25_000;
const TARGET_MS = 1000;
const TARGET_RATIO = 5;
const ENVIRONMENT = 'production';
const DEPLOY_TYPES = DELIVERY_EVENT_TYPES.filter((t) => t !== 'pipelinerun.finished');

const log = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const round1 = (x: number) => Math.round(x * 10) / 10;

/** The floor's query: the deploy read's WHERE, counted per service. */
const FLOOR_SQL = (p: (i: number) => string) =>
  `SELECT service, count(*) AS deploys FROM events
   WHERE type IN (${DEPLOY_TYPES.map((_, i) => p(i + 1)).join(', ')})
     AND (environment = ${p(DEPLOY_TYPES.length + 1)} OR environment LIKE ${p(DEPLOY_TYPES.length + 2)} ESCAPE '\\')
     AND time >= ${p(DEPLOY_TYPES.length + 3)} AND time < ${p(DEPLOY_TYPES.length + 4)}
   GROUP BY service`;

/** One backend's floor: prepare once, then run the GROUP BY; resolves to the total it counted. */
interface Floor {
  run(): Promise<number>;
  close(): Promise<void>;
}

function sqliteFloor(file: string, window: { from: number; to: number }): Floor {
  const database = new BetterSqlite3(file, { readonly: true });
  const statement = database.prepare(FLOOR_SQL(() => '?'));
  const params = [...DEPLOY_TYPES, ENVIRONMENT, `${ENVIRONMENT}@%`, window.from, window.to];
  return {
    run: async () =>
      (statement.all(...params) as { deploys: number }[]).reduce((sum, row) => sum + row.deploys, 0),
    close: async () => {
      database.close();
    },
  };
}

async function postgresFloor(schema: string, window: { from: number; to: number }): Promise<Floor> {
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  const query = {
    name: 'bench-metrics-floor',
    text: FLOOR_SQL((i) => `$${i}`),
    values: [...DEPLOY_TYPES, ENVIRONMENT, `${ENVIRONMENT}@%`, window.from, window.to],
  };
  return {
    run: async () =>
      (await client.query<{ deploys: string }>(query)).rows.reduce(
        (sum, row) => sum + Number(row.deploys),
        0,
      ),
    close: () => client.end(),
  };
}

/** Fills both stores with the history, in order, the same events in the same batches. */
async function fill(stores: readonly Store[], history: DeliveryHistory): Promise<void> {
  const started = performance.now();
  let batch: NewEvent[] = [];
  let writing: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    const events = batch;
    batch = [];
    await writing;
    // The next batch is generated while this one is written.
    writing = Promise.all(stores.map((store) => store.appendEvents(events)));
  };
  for (const day of history.batches()) {
    batch.push(...day);
    if (batch.length >= FILL_BATCH) {
      await flush();
      if (history.counts.events % 200_000 < FILL_BATCH)
        log(`  ${history.counts.events} events (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
  }
  await flush();
  await writing;
  log(`filled ${history.counts.events} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** The ids a fresh log gave: 1..n with no gap, which the incidents' references rely on. */
async function checkNumbering(
  name: string,
  read: () => Promise<{ n: number; low: number; high: number }>,
  events: number,
): Promise<void> {
  const { n, low, high } = await read();
  if (n !== events || low !== 1 || high !== events)
    throw new Error(`${name}: expected ids 1..${events}, found ${n} events with ids ${low}..${high}`);
}

/** Median of the figures and of the floor over RUNS runs each, alternating, after one warm-up of each. */
async function measure(
  name: string,
  figures: () => Promise<DeliveryMetrics>,
  floor: Floor,
): Promise<{ ms: number; floorMs: number; metrics: DeliveryMetrics; floorCount: number }> {
  const metrics = await figures();
  const floorCount = await floor.run();
  const times: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t0 = performance.now();
    const again = await figures();
    times.push(performance.now() - t0);
    deepStrictEqual(again, metrics, `${name}: the figures changed between runs`);
    t0 = performance.now();
    await floor.run();
    floors.push(performance.now() - t0);
  }
  log(
    `${name}: figures (ms) ${times.map((t) => t.toFixed(0)).join(' ')}; floor (ms) ${floors.map((t) => t.toFixed(1)).join(' ')}`,
  );
  return { ms: median(times), floorMs: median(floors), metrics, floorCount };
}

/** Fails loudly when the figures are not what the generator wrote. */
function checkFigures(metrics: DeliveryMetrics, counts: HistoryCounts): void {
  const problems: string[] = [];
  const w = counts.window;
  if (metrics.change_failure_rate.deploys !== w.deploys)
    problems.push(`change_failure_rate.deploys ${metrics.change_failure_rate.deploys}, written ${w.deploys}`);
  if (metrics.deployment_frequency.deploys !== w.completed || w.completed === 0)
    problems.push(
      `deployment_frequency.deploys ${metrics.deployment_frequency.deploys}, written ${w.completed}`,
    );
  const rate = metrics.change_failure_rate.rate;
  if (rate === null || rate <= 0 || rate >= 0.5) problems.push(`change_failure_rate.rate ${rate}`);
  if (metrics.lead_time.median_hours === null) problems.push('no lead time');
  if (metrics.time_to_restore.median_hours === null) problems.push('no time to restore');
  if (metrics.pipeline.p50_minutes === null) problems.push('no pipeline durations');
  if (metrics.rollback_time.max_seconds === null) problems.push('no rollback time');
  if (metrics.zero_downtime.rollouts === 0) problems.push('no measured rollout');
  if (problems.length > 0) throw new Error(`implausible figures: ${problems.join('; ')}`);
}

/** Closes what main opened and drops its schema and folder; also run when the bench is cut short. */
let cleanup: () => Promise<void> = async () => {};

async function main(): Promise<void> {
  const now = Date.now();
  const window = { from: now - WINDOW_DAYS * DAY, to: now };
  const history = new DeliveryHistory({ now, days: DAYS, services: SERVICES, seed: SEED }, window);
  const root = mkdtempSync(join(tmpdir(), 'slipway-bench-metrics-'));
  const schema = `slipway_bench_metrics_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const clock = { now: () => Date.now() };
  const stores: Store[] = [];
  const floors: Floor[] = [];
  let cleaned = false;
  cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await Promise.allSettled(floors.map((floor) => floor.close()));
    await Promise.allSettled(stores.map((store) => store.close()));
    rmSync(root, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  };
  try {
    const sqlite = await openStore({ projectDir: root, clock });
    stores.push(sqlite);
    const postgres = await openPostgresStore({ url: PG_URL, schema, clock });
    stores.push(postgres);
    log(`generating and writing ${DAYS} days of history for ${SERVICES} services (SQLite and PostgreSQL)`);
    await fill([sqlite, postgres], history);
    const { counts } = history;
    log(
      `  ${counts.deploys} deploys, ${counts.pipelineRuns} pipeline runs, ${counts.incidents} incidents, ${counts.manualRollbacks} manual rollbacks; ${counts.window.deploys} production deploys in the window`,
    );

    const file = sqliteStatePath(root);
    const sqliteRaw = sqliteFloor(file, window);
    floors.push(sqliteRaw);
    const pgRaw = await postgresFloor(schema, window);
    floors.push(pgRaw);
    const pgClient = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await pgClient.connect();
    try {
      const { rows } = await pgClient.query<{ n: number; low: number; high: number }>(
        'SELECT count(*)::int AS n, min(id)::int AS low, max(id)::int AS high FROM events',
      );
      await checkNumbering('PostgreSQL', async () => rows[0]!, counts.events);
      await pgClient.query('VACUUM ANALYZE events');
    } finally {
      await pgClient.end();
    }
    const numbering = new BetterSqlite3(file, { readonly: true });
    try {
      await checkNumbering(
        'SQLite',
        async () =>
          numbering.prepare('SELECT count(*) AS n, min(id) AS low, max(id) AS high FROM events').get() as {
            n: number;
            low: number;
            high: number;
          },
        counts.events,
      );
    } finally {
      numbering.close();
    }

    const filter = { environment: ENVIRONMENT };
    const s = await measure(
      'SQLite',
      () => loadDeliveryMetrics(sqlite, window, filter, DEFAULT_SLO),
      sqliteRaw,
    );
    const p = await measure(
      'PostgreSQL',
      () => loadDeliveryMetrics(postgres, window, filter, DEFAULT_SLO),
      pgRaw,
    );
    deepStrictEqual(p.metrics, s.metrics, 'SQLite and PostgreSQL give different figures');
    if (s.floorCount !== p.floorCount)
      throw new Error(`the floors counted ${s.floorCount} and ${p.floorCount}`);
    checkFigures(s.metrics, counts);
    log(`figures: ${JSON.stringify(s.metrics)}`);

    const ratioSqlite = s.ms / s.floorMs;
    const ratioPostgres = p.ms / p.floorMs;
    const ratio = Math.round(Math.max(ratioSqlite, ratioPostgres) * 100) / 100;
    const met = s.ms < TARGET_MS && p.ms < TARGET_MS && ratio <= TARGET_RATIO;
    log(`targets ${met ? 'met' : 'missed'} (each backend under ${TARGET_MS} ms, ratio <= ${TARGET_RATIO})`);
    if (!met) process.exitCode = 1;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'metrics',
        events: counts.events,
        sqlite_ms: round1(s.ms),
        postgres_ms: round1(p.ms),
        floor_ms: round1(s.floorMs),
        ratio,
        floor_sqlite_ms: round1(s.floorMs),
        floor_postgres_ms: round1(p.floorMs),
        ratio_sqlite: Math.round(ratioSqlite * 100) / 100,
        ratio_postgres: Math.round(ratioPostgres * 100) / 100,
        deploys: counts.deploys,
        window_deploys: counts.window.deploys,
        floor_rows: s.floorCount,
      })}\n`,
    );
  } finally {
    await cleanup();
  }
}

/** Gives up: cleans up what it can, then exits 1. */
function abort(why: string): void {
  log(`bench:metrics: ${why}, giving up`);
  cleanup()
    .catch((error: unknown) => log(`cleanup failed: ${String(error)}`))
    .finally(() => process.exit(1));
}

const guard = setTimeout(() => abort('over 10 minutes'), 10 * 60_000);
guard.unref();
process.once('SIGINT', () => abort('interrupted'));
process.once('SIGTERM', () => abort('terminated'));
main().catch((error: unknown) => {
  log(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exitCode = 1;
});
