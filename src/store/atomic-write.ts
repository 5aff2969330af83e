// How a multi-statement write stays atomic whether or not the caller already holds a transaction.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Runs `fn` atomically: in a transaction of its own, or inside the one the caller already holds. */
export type AtomicWrite = <T>(fn: (trx: Kysely<Database>) => Promise<T>) => Promise<T>;

/** The AtomicWrite over `db`; inside a transaction it joins it, since Kysely cannot nest one. */
export function atomicWrite(db: Kysely<Database>, inTransaction: boolean): AtomicWrite {
  return inTransaction ? (fn) => fn(db) : (fn) => db.transaction().execute(fn);
}
