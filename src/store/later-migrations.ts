/**
 * The migrations from 0012 on, kept apart from the first ones only for the length of the file;
 * they apply in name order with the rest. Never edit one once shipped.
 */
import type { Kysely, Migration } from 'kysely';
import { typesFor, withId } from './migration-columns.js';
import type { StoreBackend } from './store.js';

/** Migrations 0012 and later for `backend`, keyed by name. */
export function laterMigrations(backend: StoreBackend): Record<string, Migration> {
  const t = typesFor(backend);
  return {
    '0012_approval_votes': {
      async up(db: Kysely<unknown>) {
        // A gate may need several distinct approvers: its count, its running tally and each vote.
        await db.schema
          .alterTable('approvals')
          .addColumn('required', t.int64, (col) => col.notNull().defaultTo(1))
          .execute();
        await db.schema
          .alterTable('approvals')
          .addColumn('votes', t.int64, (col) => col.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createTable('approval_votes')
          .addColumn('run_id', t.int64, (col) => col.notNull())
          .addColumn('environment', 'text', (col) => col.notNull())
          .addColumn('actor', 'text', (col) => col.notNull())
          .addColumn('seq', t.int64, (col) => col.notNull())
          .addColumn('voted_at', t.int64, (col) => col.notNull())
          .addColumn('comment', 'text')
          .addPrimaryKeyConstraint('approval_votes_pk', ['run_id', 'environment', 'actor'])
          .addForeignKeyConstraint(
            'approval_votes_gate',
            ['run_id', 'environment'],
            'approvals',
            ['run_id', 'environment'],
            (fk) => fk.onDelete('cascade'),
          )
          .execute();
        // Required stages look for earlier runs of the same commit.
        await db.schema.createIndex('runs_commit_sha').on('runs').column('commit_sha').execute();
      },
    },
    '0013_database_snapshots': {
      async up(db: Kysely<unknown>) {
        // A database's snapshot, taken before a deploy's migrations; the file lives beside the store.
        await withId(backend, db.schema.createTable('database_snapshots'))
          .addColumn('environment', 'text', (col) => col.notNull())
          .addColumn('database', 'text', (col) => col.notNull())
          .addColumn('engine', 'text', (col) => col.notNull())
          .addColumn('service', 'text')
          .addColumn('revision', 'text')
          .addColumn('stable_revision', 'text')
          .addColumn('reason', 'text', (col) => col.notNull())
          .addColumn('file', 'text', (col) => col.notNull())
          .addColumn('format', 'text', (col) => col.notNull())
          .addColumn('bytes', t.int64, (col) => col.notNull())
          .addColumn('sha256', 'text', (col) => col.notNull())
          .addColumn('tables', t.json, (col) => col.notNull())
          .addColumn('created_by', 'text', (col) => col.notNull())
          .addColumn('created_at', t.int64, (col) => col.notNull())
          .addColumn('pruned_at', t.int64)
          .addColumn('restored_at', t.int64)
          .execute();
        await db.schema
          .createIndex('database_snapshots_scope')
          .on('database_snapshots')
          .columns(['environment', 'database', 'created_at'])
          .execute();
      },
    },
  };
}
