/**
 * The schema of an environment's `databases:`: the databases a deploy snapshots before its
 * migrations, which `slipway rollback --data` restores. PostgreSQL, MariaDB/MySQL and SQLite.
 */
import { z } from 'zod';
import { identifier } from './fields.js';

/** When a deploy snapshots a database. */
export const SNAPSHOT_POLICIES = ['before-migrations', 'before-deploy', 'never'] as const;

/** One database of an environment. */
export interface ResolvedDatabase {
  readonly name: string;
  /** The URL as written; `${NAME}` stands for a secret (environment, else `.slipway/secrets.env`). */
  readonly url: string;
  readonly snapshot: (typeof SNAPSHOT_POLICIES)[number];
  /** Snapshots kept per database; older files are deleted. */
  readonly retain: number;
}

const URL_FORM = /^(postgres|postgresql|mariadb|mysql):\/\/|^sqlite:/;

export const databaseSchema = z
  .strictObject({
    name: identifier.describe('Name of the database in `slipway snapshots list` and `rollback --data`.'),
    url: z
      .string()
      .min(1)
      .refine((url) => URL_FORM.test(url), {
        error: 'must start with postgres://, postgresql://, mariadb://, mysql:// or sqlite:',
      })
      .describe(
        'Where the database is: `postgres://user@host:5432/db`, `mariadb://user@host:3306/db` (or `mysql://`), `sqlite:path/to/file.db` (relative to slipway.yaml). `${NAME}` is replaced by the secret NAME (the environment, else `.slipway/secrets.env`), e.g. a password.',
      ),
    snapshot: z
      .enum(SNAPSHOT_POLICIES)
      .default('before-migrations')
      .describe(
        'When a deploy snapshots it: `before-migrations` (default: before a deploy of a service with `migrations` or a `preDeploy` hook), `before-deploy` (before every deploy of a new revision), `never`.',
      ),
    retain: z
      .int()
      .min(1)
      .default(5)
      .describe('Snapshots kept for this database; older snapshot files are deleted (default: 5).'),
  })
  .describe('A database the deploys of this environment snapshot and `slipway rollback --data` restores.');

export const databasesSchema = z
  .array(databaseSchema)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((db, i) => {
      if (seen.has(db.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate database '${db.name}'` });
      seen.add(db.name);
    });
  })
  .describe(
    'Databases snapshotted before deploys and restored by `slipway rollback --data` (default: none).',
  );

/** The resolved form of `databases:`. */
export function resolveDatabases(list: z.output<typeof databasesSchema>): ResolvedDatabase[] {
  return list.map((db) => ({ name: db.name, url: db.url, snapshot: db.snapshot, retain: db.retain }));
}
