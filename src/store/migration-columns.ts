/** The column types and primary keys that differ between SQLite and PostgreSQL, shared by the migrations. */
import type { CreateTableBuilder } from 'kysely';
import type { StoreBackend } from './store.js';

/** Column types that differ: epoch milliseconds need bigint on PostgreSQL; SQLite integers are 64-bit. */
export function typesFor(backend: StoreBackend) {
  return backend === 'postgres'
    ? ({ int64: 'bigint', json: 'jsonb' } as const)
    : ({ int64: 'integer', json: 'text' } as const);
}

/** Adds the primary key: an identity on PostgreSQL, AUTOINCREMENT on SQLite so ids are never reused. */
export function withId<TB extends string>(backend: StoreBackend, table: CreateTableBuilder<TB>) {
  return backend === 'postgres'
    ? table.addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    : table.addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement());
}
