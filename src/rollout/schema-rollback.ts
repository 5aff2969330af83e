/**
 * `slipway rollback --schema`: the code rollback, then the `down` migration that reverts the
 * `expand` of the rollout being undone. It is checked before anything moves: `down` runs only
 * where that rollout's `expand` ran and its `contract` did not (after `contract` the old revision
 * no longer works on the schema, and `down` cannot bring back what contract removed).
 */
import type { ServiceRef } from '../platform/platform.js';
import type { Rollout, Store } from '../store/store.js';
import type { ControllerDeps, RolloutOutcome } from './controller/controller-types.js';
import { type MigrationRecord, migrationRecords } from './controller/migration-record.js';
import { recordMigration, runMigration } from './controller/migration-step.js';
import type { RolloutSpec } from './controller/rollout-spec.js';
import { RolloutError } from './errors.js';
import { activeRollout, rollback, stableOf } from './rollout-service.js';

/** What happened to the schema: `down` ran (or failed), or there was nothing to revert and why. */
export type SchemaRollback =
  | { readonly status: 'reverted' | 'failed'; readonly rollout: number; readonly record: MigrationRecord }
  | { readonly status: 'unchanged'; readonly reason: string };

/** What a rollback with `--schema` did to the code and to the schema. */
export type SchemaRollbackOutcome = RolloutOutcome & {
  readonly revision: string;
  readonly schema: SchemaRollback;
};

/** Rolls the code back as `rollback` does, then runs the undone rollout's `down` (checked first). */
export async function rollbackWithSchema(
  deps: ControllerDeps,
  input: { readonly ref: ServiceRef; readonly to?: string; readonly actor: string; readonly workdir: string },
): Promise<SchemaRollbackOutcome> {
  const before = await rolloutToUndo(deps, input.ref);
  if (before) downOf(before); // refuses before anything moves
  const outcome = await rollback(deps, input);
  // Read again: a rollout aborted in the middle of its expand records it only as it stops.
  const undone = before && (await deps.store.getRollout(before.id));
  const down = undone ? downOf(undone) : undefined;
  // Aborting a rollout in progress brings its stable revision back: the code rollback is done.
  const back =
    outcome.status === 'completed' || outcome.status === 'aborted' || outcome.status === 'rolled_back';
  if (!undone || !down) return { ...outcome, schema: { status: 'unchanged', reason: nothingReason(undone) } };
  if (!back)
    return {
      ...outcome,
      schema: { status: 'unchanged', reason: 'the code rollback did not finish: `down` did not run' },
    };
  const status = await deps.platform.status(input.ref);
  const target = {
    url: status?.url ?? '',
    revision: undone.revision,
    env: { SLIPWAY_SERVICE: input.ref.service, SLIPWAY_ENV: input.ref.env },
    workdir: input.workdir,
  };
  const record = await runMigration('down', down.command, target, down.timeoutMs, deps);
  await recordMigration(deps, undone, 'down', record);
  return {
    ...outcome,
    schema: { status: record.status === 'succeeded' ? 'reverted' : 'failed', rollout: undone.id, record },
  };
}

/** The rollout a rollback undoes: the one in progress, else the last completed deploy of the serving revision. */
async function rolloutToUndo(deps: ControllerDeps, ref: ServiceRef): Promise<Rollout | undefined> {
  const active = await activeRollout(deps.store, ref);
  if (active) return active;
  const serving = stableOf(await deps.platform.status(ref));
  if (!serving) return undefined;
  return lastDeployOf(deps.store, ref, serving.id);
}

async function lastDeployOf(store: Store, ref: ServiceRef, revision: string): Promise<Rollout | undefined> {
  const history = await store.listRollouts({
    service: ref.service,
    environment: ref.env,
    active: false,
    limit: 50,
  });
  return history.find((r) => r.phase === 'completed' && r.strategy !== 'rollback' && r.revision === revision);
}

/**
 * The `down` to run for `undone`: undefined when its expand never ran (or was reverted already),
 * throws when it may not run. The expand of a rollout aborted after it failed is reverted too: it
 * may have changed part of the schema.
 */
function downOf(undone: Rollout): { command: string; timeoutMs: number } | undefined {
  const records = migrationRecords(undone.data);
  if (records.contract?.status === 'succeeded')
    throw new RolloutError(
      'SCHEMA_CONTRACTED',
      `rollout ${undone.id} already ran \`contract\`: the revision before it does not work on the contracted schema and \`down\` cannot restore what contract removed; nothing was rolled back (fix forward, or restore the data first)`,
    );
  const migrations = (undone.plan as RolloutSpec).migrations;
  if (migrations?.expand === undefined || records.down?.status === 'succeeded') return undefined;
  if (migrations.down === undefined)
    throw new RolloutError(
      'NO_DOWN_MIGRATION',
      `rollout ${undone.id} ran \`expand\` but its migrations have no \`down\`; nothing was rolled back (roll back without --schema: the old revision works on the expanded schema)`,
    );
  if (records.expand === undefined) return undefined;
  return { command: migrations.down, timeoutMs: migrations.timeoutMs };
}

function nothingReason(undone: Rollout | undefined): string {
  if (!undone) return 'no deploy of the serving revision is recorded: no schema change to revert';
  const records = migrationRecords(undone.data);
  if (records.down?.status === 'succeeded') return `the expand of rollout ${undone.id} was already reverted`;
  return `rollout ${undone.id} ran no \`expand\`: no schema change to revert`;
}
