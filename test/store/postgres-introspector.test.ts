// The PostgreSQL dialect's introspection sees only the store's own schema (the Migrator relies on it).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Kysely } from 'kysely';
import { MIGRATION_TABLE } from '../../src/store/migrations.js';
import { createPool, createPostgresDialect } from '../../src/store/postgres/postgres-dialect.js';
import { createBackends, type StoreLocation } from './helpers/backends.js';

const postgres = createBackends().find((backend) => backend.name === 'postgres')!;
after(() => postgres.cleanup());

test('getTables lists the current schema only, with column facts', async () => {
  const mine = await postgres.fresh();
  await postgres.fresh(); // a second store schema that must stay invisible
  const { schema, url } = mine.location as Extract<StoreLocation, { backend: 'postgres' }>;
  const db = new Kysely<unknown>({ dialect: createPostgresDialect(createPool({ url, schema })) });
  try {
    const tables = await db.introspection.getTables();
    assert.deepEqual(
      tables.map((table) => table.name).sort(),
      [
        'approval_votes',
        'approvals',
        'database_snapshots',
        'events',
        'findings',
        'infra_leases',
        'job_runs',
        'logs',
        'notification_deliveries',
        'pipeline_durations',
        'projects',
        'rollouts',
        'runs',
        'tokens',
        'webhook_deliveries',
        MIGRATION_TABLE,
        `${MIGRATION_TABLE}_lock`,
      ].sort(),
    );
    assert.ok(tables.every((table) => table.schema === schema && !table.isView));
    const events = tables.find((table) => table.name === 'events')!;
    const column = (name: string) => events.columns.find((c) => c.name === name)!;
    assert.deepEqual(column('id'), {
      name: 'id',
      dataType: 'int8',
      dataTypeSchema: 'pg_catalog',
      isAutoIncrementing: true,
      isNullable: false,
      hasDefaultValue: false,
    });
    assert.equal(column('data').dataType, 'jsonb');
    assert.equal(column('commit_sha').isNullable, true);
  } finally {
    await db.destroy();
  }
});
