// Versioned schema migrations, defined in code so they ship inside dist/, with the SQLite/PostgreSQL differences.
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { StoreError } from './errors.js';
import { laterMigrations } from './later-migrations.js';
import { typesFor, withId } from './migration-columns.js';
import type { StoreBackend } from './store.js';

/** Name of the table recording applied migrations. */
export const MIGRATION_TABLE = 'slipway_migration';

/** Name of the table holding Kysely's migration lock row. */
export const MIGRATION_LOCK_TABLE = `${MIGRATION_TABLE}_lock`;

/** Triggers that make the events table append-only below the application. */
async function createAppendOnlyTriggers(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  if (backend === 'sqlite') {
    await sql`CREATE TRIGGER events_no_update BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed'); END`.execute(db);
    await sql`CREATE TRIGGER events_no_delete BEFORE DELETE ON events
      BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed'); END`.execute(db);
    return;
  }
  await sql`CREATE FUNCTION slipway_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP; END $$`.execute(db);
  await sql`CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION slipway_events_append_only()`.execute(db);
  await sql`CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION slipway_events_append_only()`.execute(db);
}

/** All migrations for `backend`, keyed by name; names sort in application order. Never edit one once shipped. */
export function createMigrations(backend: StoreBackend): Record<string, Migration> {
  const t = typesFor(backend);
  return {
    '0001_event_log': {
      async up(db: Kysely<unknown>) {
        await withId(backend, db.schema.createTable('events'))
          .addColumn('type', 'text', (col) => col.notNull())
          .addColumn('time', t.int64, (col) => col.notNull())
          .addColumn('actor', 'text', (col) => col.notNull())
          .addColumn('commit_sha', 'text')
          .addColumn('service', 'text')
          .addColumn('environment', 'text')
          .addColumn('run_id', t.int64)
          .addColumn('subject', 'text')
          .addColumn('data', t.json, (col) => col.notNull())
          .execute();
        await db.schema.createIndex('events_type_time').on('events').columns(['type', 'time']).execute();
        await db.schema
          .createIndex('events_service_environment_time')
          .on('events')
          .columns(['service', 'environment', 'time'])
          .execute();
        await db.schema.createIndex('events_run_id').on('events').column('run_id').execute();
        await createAppendOnlyTriggers(db, backend);
      },
    },
    '0002_pipeline_runs': {
      async up(db: Kysely<unknown>) {
        await withId(backend, db.schema.createTable('runs'))
          .addColumn('pipeline', 'text', (col) => col.notNull())
          .addColumn('status', 'text', (col) => col.notNull())
          .addColumn('commit_sha', 'text')
          .addColumn('branch', 'text')
          .addColumn('actor', 'text', (col) => col.notNull())
          .addColumn('trigger', 'text', (col) => col.notNull())
          .addColumn('concurrency_group', 'text')
          .addColumn('plan', t.json, (col) => col.notNull())
          .addColumn('created_at', t.int64, (col) => col.notNull())
          .addColumn('started_at', t.int64)
          .addColumn('finished_at', t.int64)
          .addColumn('pid', 'integer')
          .addColumn('heartbeat_at', t.int64)
          .execute();
        await db.schema.createIndex('runs_status').on('runs').column('status').execute();
        await db.schema
          .createIndex('runs_concurrency_group_status')
          .on('runs')
          .columns(['concurrency_group', 'status'])
          .execute();

        await db.schema
          .createTable('job_runs')
          .addColumn('run_id', t.int64, (col) => col.notNull().references('runs.id').onDelete('cascade'))
          .addColumn('job_key', 'text', (col) => col.notNull())
          .addColumn('stage', 'text')
          .addColumn('status', 'text', (col) => col.notNull())
          .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
          .addColumn('exit_code', 'integer')
          .addColumn('started_at', t.int64)
          .addColumn('finished_at', t.int64)
          .addColumn('outputs', t.json, (col) => col.notNull())
          .addColumn('matrix', t.json)
          .addColumn('message', 'text')
          .addPrimaryKeyConstraint('job_runs_pk', ['run_id', 'job_key'])
          .execute();

        await withId(backend, db.schema.createTable('logs'))
          .addColumn('run_id', t.int64, (col) => col.notNull().references('runs.id').onDelete('cascade'))
          .addColumn('job_key', 'text', (col) => col.notNull())
          .addColumn('attempt', 'integer', (col) => col.notNull())
          .addColumn('stream', 'text', (col) => col.notNull())
          .addColumn('time', t.int64, (col) => col.notNull())
          .addColumn('text', 'text', (col) => col.notNull())
          .execute();
        await db.schema
          .createIndex('logs_run_job_id')
          .on('logs')
          .columns(['run_id', 'job_key', 'id'])
          .execute();

        await db.schema
          .createTable('approvals')
          .addColumn('run_id', t.int64, (col) => col.notNull().references('runs.id').onDelete('cascade'))
          .addColumn('environment', 'text', (col) => col.notNull())
          .addColumn('status', 'text', (col) => col.notNull())
          .addColumn('requested_at', t.int64, (col) => col.notNull())
          .addColumn('decided_at', t.int64)
          .addColumn('decided_by', 'text')
          .addColumn('comment', 'text')
          .addPrimaryKeyConstraint('approvals_pk', ['run_id', 'environment'])
          .execute();
      },
    },
    '0003_rollouts': {
      async up(db: Kysely<unknown>) {
        await withId(backend, db.schema.createTable('rollouts'))
          .addColumn('service', 'text', (col) => col.notNull())
          .addColumn('environment', 'text', (col) => col.notNull())
          .addColumn('revision', 'text', (col) => col.notNull())
          .addColumn('stable_revision', 'text')
          .addColumn('strategy', 'text', (col) => col.notNull())
          .addColumn('plan', t.json, (col) => col.notNull())
          .addColumn('step', 'integer', (col) => col.notNull())
          .addColumn('phase', 'text', (col) => col.notNull())
          .addColumn('reason', 'text')
          .addColumn('actor', 'text', (col) => col.notNull())
          .addColumn('commit_sha', 'text')
          .addColumn('started_at', t.int64, (col) => col.notNull())
          .addColumn('updated_at', t.int64, (col) => col.notNull())
          .addColumn('finished_at', t.int64)
          .addColumn('owner', 'text')
          .addColumn('heartbeat_at', t.int64)
          .addColumn('request', 'text')
          .addColumn('data', t.json, (col) => col.notNull())
          .execute();
        await db.schema
          .createIndex('rollouts_service_environment_id')
          .on('rollouts')
          .columns(['service', 'environment', 'id'])
          .execute();
        // One active rollout per service and environment, enforced by the database.
        await sql`CREATE UNIQUE INDEX rollouts_one_active ON rollouts (service, environment)
          WHERE phase IN ('running', 'paused')`.execute(db);
      },
    },
    '0004_tokens': {
      async up(db: Kysely<unknown>) {
        // API tokens of the server: only the sha256 of a token is kept, never the token itself.
        await withId(backend, db.schema.createTable('tokens'))
          .addColumn('name', 'text', (col) => col.notNull().unique())
          .addColumn('role', 'text', (col) => col.notNull())
          .addColumn('hash', 'text', (col) => col.notNull().unique())
          .addColumn('created_at', t.int64, (col) => col.notNull())
          .addColumn('created_by', 'text', (col) => col.notNull())
          .addColumn('last_used_at', t.int64)
          .addColumn('revoked_at', t.int64)
          .execute();
      },
    },
    '0005_webhook_deliveries': {
      async up(db: Kysely<unknown>) {
        // Webhook deliveries seen by the server: the unique delivery id makes a redelivery a no-op.
        await withId(backend, db.schema.createTable('webhook_deliveries'))
          .addColumn('delivery_id', 'text', (col) => col.notNull().unique())
          .addColumn('event', 'text', (col) => col.notNull())
          .addColumn('received_at', t.int64, (col) => col.notNull())
          .execute();
      },
    },
    '0006_projects': {
      async up(db: Kysely<unknown>) {
        // Projects registered with the server: pushes to `repo` on `branch` start their pipelines.
        await withId(backend, db.schema.createTable('projects'))
          .addColumn('name', 'text', (col) => col.notNull().unique())
          .addColumn('repo', 'text', (col) => col.notNull())
          .addColumn('branch', 'text', (col) => col.notNull())
          .addColumn('created_at', t.int64, (col) => col.notNull())
          .addColumn('created_by', 'text', (col) => col.notNull())
          .execute();
      },
    },
    '0007_run_owner': {
      async up(db: Kysely<unknown>) {
        // The lease of a run: which process drives it (host:pid:start), renewed through heartbeat_at.
        await db.schema.alterTable('runs').addColumn('owner', 'text').execute();
      },
    },
    '0008_notification_deliveries': {
      async up(db: Kysely<unknown>) {
        // The notification outbox: the unique idempotency key (`<event id>/<channel>`) makes a
        // second enqueue a no-op; the lease columns keep two workers from sending one row at once.
        await withId(backend, db.schema.createTable('notification_deliveries'))
          .addColumn('idempotency_key', 'text', (col) => col.notNull().unique())
          .addColumn('channel', 'text', (col) => col.notNull())
          .addColumn('trigger', 'text', (col) => col.notNull())
          .addColumn('payload', t.json, (col) => col.notNull())
          .addColumn('status', 'text', (col) => col.notNull())
          .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
          .addColumn('next_attempt_at', t.int64, (col) => col.notNull())
          .addColumn('last_error', 'text')
          .addColumn('lease_owner', 'text')
          .addColumn('lease_expires_at', t.int64)
          .addColumn('created_at', t.int64, (col) => col.notNull())
          .addColumn('updated_at', t.int64, (col) => col.notNull())
          .addColumn('delivered_at', t.int64)
          .execute();
        // What a claim looks for: pending rows by due time, sending rows by lease expiry.
        await db.schema
          .createIndex('notification_deliveries_status_next')
          .on('notification_deliveries')
          .columns(['status', 'next_attempt_at'])
          .execute();
        await db.schema
          .createIndex('notification_deliveries_status_lease')
          .on('notification_deliveries')
          .columns(['status', 'lease_expires_at'])
          .execute();
      },
    },
    '0009_pipeline_durations': {
      async up(db: Kysely<unknown>) {
        // What the delivery figures read of each finished pipeline run. The events themselves are
        // scattered over the whole log among the runs' job events (a page read apiece); this
        // projection, written with each event, holds them side by side.
        await db.schema
          .createTable('pipeline_durations')
          .addColumn('event_id', t.int64, (col) => col.primaryKey())
          .addColumn('time', t.int64, (col) => col.notNull())
          .addColumn('duration_ms', 'double precision')
          .addColumn('status', 'text')
          .addColumn('pipeline', 'text')
          .execute();
        await db.schema
          .createIndex('pipeline_durations_time')
          .on('pipeline_durations')
          .column('time')
          .execute();
        const field = (name: string) =>
          backend === 'postgres' ? sql.raw(`data->>'${name}'`) : sql.raw(`json_extract(data, '$.${name}')`);
        const duration =
          backend === 'postgres'
            ? sql.raw(
                `CASE WHEN jsonb_typeof(data->'durationMs') = 'number' THEN (data->>'durationMs')::double precision END`,
              )
            : sql.raw(
                `CASE WHEN json_type(data, '$.durationMs') IN ('integer', 'real') THEN json_extract(data, '$.durationMs') END`,
              );
        await sql`INSERT INTO pipeline_durations (event_id, time, duration_ms, status, pipeline)
          SELECT id, time, ${duration}, ${field('status')}, ${field('pipeline')}
          FROM events WHERE type = 'pipelinerun.finished'`.execute(db);
      },
    },
    '0010_infra_leases': {
      async up(db: Kysely<unknown>) {
        // One infrastructure operation per environment at a time, on top of Terraform's own state lock.
        await db.schema
          .createTable('infra_leases')
          .addColumn('key', 'text', (col) => col.primaryKey())
          .addColumn('owner', 'text', (col) => col.notNull())
          .addColumn('operation', 'text', (col) => col.notNull())
          .addColumn('acquired_at', t.int64, (col) => col.notNull())
          .addColumn('heartbeat_at', t.int64, (col) => col.notNull())
          .execute();
      },
    },
    '0011_findings': {
      async up(db: Kysely<unknown>) {
        // Each job's scanner findings, stored with its run (the baseline of later runs reads them).
        await withId(backend, db.schema.createTable('findings'))
          .addColumn('run_id', t.int64, (col) => col.notNull())
          .addColumn('job_key', 'text', (col) => col.notNull())
          .addColumn('tool', 'text', (col) => col.notNull())
          .addColumn('rule', 'text', (col) => col.notNull())
          .addColumn('severity', 'text', (col) => col.notNull())
          .addColumn('message', 'text', (col) => col.notNull())
          .addColumn('file', 'text')
          .addColumn('line', t.int64)
          .addColumn('col', t.int64)
          .addColumn('fingerprint', 'text', (col) => col.notNull())
          .addColumn('fingerprint_source', 'text', (col) => col.notNull())
          .addColumn('status', 'text', (col) => col.notNull())
          .addColumn('suppression', t.json)
          .addColumn('created_at', t.int64, (col) => col.notNull())
          .execute();
        await db.schema
          .createIndex('findings_run_job')
          .on('findings')
          .columns(['run_id', 'job_key'])
          .execute();
      },
    },
    ...laterMigrations(backend),
  };
}

/** Options of migrateToLatest. */
export interface MigrateOptions {
  /** PostgreSQL schema holding the migration tables; defaults to the connection's default. */
  readonly schema?: string;
}

/**
 * Applies every pending migration. Callers hold a cross-process guard around it (an advisory
 * lock on PostgreSQL, BEGIN IMMEDIATE on SQLite). Returns the names applied now.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  backend: StoreBackend,
  options: MigrateOptions = {},
): Promise<string[]> {
  const migrations = createMigrations(backend);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined)
    throw migrationFailed(results.find((result) => result.status === 'Error')?.migrationName, error);
  return results.map((result) => result.migrationName);
}

/** The MIGRATION_FAILED error for `error` raised by migration `failed` (undefined: by the bookkeeping around them). */
export function migrationFailed(failed: string | undefined, error: unknown): StoreError {
  const what = failed === undefined ? 'migrating the state database' : `migration ${failed}`;
  return new StoreError('MIGRATION_FAILED', `${what} failed: ${messageOf(error)}`, { cause: error });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
