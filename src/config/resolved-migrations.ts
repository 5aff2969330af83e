/** A service's expand/contract migrations in their resolved form, as the rollout planner and controller use them. */
import type { MigrationsOutput } from './migrations-schema.js';

/** `services.<id>.migrations` with durations in milliseconds; absent commands are left out. */
export interface ResolvedMigrations {
  /** Runs before the new revision gets traffic. */
  readonly expand?: string;
  /** Runs once the old revision is gone and `contractAfterMs` has passed with healthy analysis. */
  readonly contract?: string;
  /** Reverts `expand`; only `slipway rollback --schema` runs it. */
  readonly down?: string;
  readonly contractAfterMs: number;
  readonly timeoutMs: number;
}

/** The resolved migrations of a service's parsed `migrations:`. */
export function resolveMigrations(migrations: MigrationsOutput): ResolvedMigrations {
  return {
    ...(migrations.expand !== undefined ? { expand: migrations.expand } : {}),
    ...(migrations.contract !== undefined ? { contract: migrations.contract } : {}),
    ...(migrations.down !== undefined ? { down: migrations.down } : {}),
    contractAfterMs: migrations.contractAfter,
    timeoutMs: migrations.timeout,
  };
}
