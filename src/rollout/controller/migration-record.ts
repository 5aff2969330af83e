/** How a rollout keeps each run of a migration command in its data, and the warning a failed `contract` leaves. */

/** Which migration command ran. */
export type MigrationPhase = 'expand' | 'contract' | 'down';

/** One run of a migration command, as the rollout's data keeps it under `migrations.<phase>`. */
export interface MigrationRecord {
  readonly status: 'succeeded' | 'failed';
  readonly command: string;
  /** How it ended, e.g. `exited with 0`. */
  readonly result: string;
  /** The tail of its combined stdout and stderr. */
  readonly output: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** A shell command that runs it again as the rollout did (set for a failed `contract`). */
  readonly retry?: string;
}

/** The migration records of a rollout's data, by phase. */
export function migrationRecords(
  data: Readonly<Record<string, unknown>>,
): Partial<Record<MigrationPhase, MigrationRecord>> {
  const records = data.migrations;
  return records && typeof records === 'object'
    ? (records as Partial<Record<MigrationPhase, MigrationRecord>>)
    : {};
}

/** The warning a rollout completes with when its `contract` failed, or undefined. */
export function contractWarning(data: Readonly<Record<string, unknown>>): string | undefined {
  const contract = migrationRecords(data).contract;
  if (contract?.status !== 'failed') return undefined;
  return `contract failed (${contract.result}); the new revision serves on the expanded schema. Retry it with: ${contract.retry ?? contract.command}`;
}
