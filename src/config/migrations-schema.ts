/** The schema of a service's `migrations:`: expand and contract schema changes run as rollout steps. */
import { z } from 'zod';
import { duration } from './fields.js';

const command = (what: string) => z.string().min(1).optional().describe(what);

/** Expand/contract migrations: any tool can be the command (psql, knex, Prisma, Flyway, sqitch). */
export const migrationsSchema = z
  .strictObject({
    expand: command(
      'Shell command run before the new revision gets any traffic, while the old one still serves; the schema it leaves must work with both revisions. A failure aborts the rollout with no traffic moved.',
    ),
    contract: command(
      'Shell command run once the new revision serves all traffic, no instance of the old one is left and `contractAfter` has passed with the analysis healthy; it removes what only the old revision needed. A failure leaves the new revision serving.',
    ),
    down: command(
      'Shell command that reverts `expand`; runs only with `slipway rollback --schema`, after the code rollback, and never once `contract` has run.',
    ),
    contractAfter: duration
      .prefault('10m')
      .describe(
        'How long the new revision serves all traffic, with the analysis healthy, before `contract` runs; a rollback in that time needs no schema change.',
      ),
    timeout: duration.prefault('30m').describe('A migration command that takes longer fails.'),
  })
  .describe(
    'Expand/contract schema migrations run as rollout steps (see docs/migrations.md); `expand` or `contract` is required.',
  );

/** `migrations:` as parsed. */
export type MigrationsOutput = z.output<typeof migrationsSchema>;
