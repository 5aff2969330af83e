/**
 * The `expand` and `contract` steps of a rollout: the service's migration commands, each recorded
 * with its output in the rollout's data and as an event. A failed `expand` aborts the rollout
 * before any traffic moves; a failed `contract` leaves the new revision serving and the rollout
 * completes with a warning that carries the command to retry it.
 */
import type { Rollout } from '../../store/store.js';
import type { RolloutStep } from '../rollout-step.js';
import { runShell } from '../run-shell.js';
import type { CheckTarget } from './checks.js';
import type { ControllerDeps, StepResult } from './controller-types.js';
import { type MigrationPhase, type MigrationRecord, migrationRecords } from './migration-record.js';
import type { RolloutSpec } from './rollout-spec.js';

/** Runs the step's migration; a result that ends the step when `expand` fails, undefined otherwise. */
export async function runMigrationStep(args: {
  readonly rollout: Rollout;
  readonly spec: RolloutSpec;
  readonly step: RolloutStep;
  readonly target: CheckTarget;
  readonly deps: ControllerDeps;
}): Promise<StepResult | undefined> {
  const { rollout, spec, step, target, deps } = args;
  const phase = step.action === 'expand' ? 'expand' : 'contract';
  const command = spec.migrations?.[phase];
  if (command === undefined) return undefined;
  const stored = await deps.store.getRollout(rollout.id);
  // A controller that took over after the command succeeded does not run it twice.
  if (migrationRecords(stored?.data ?? rollout.data)[phase]?.status === 'succeeded') return undefined;
  const record = await runMigration(phase, command, target, spec.migrations?.timeoutMs ?? 0, deps);
  await saveMigration(deps, rollout, phase, record);
  if (record.status === 'succeeded') return undefined;
  if (phase === 'expand')
    return { status: 'aborted', reason: `expand failed (${record.result}): no traffic moved` };
  return undefined;
}

/** Runs one migration command with the rollout's variables and `SLIPWAY_MIGRATION` set to its phase. */
export async function runMigration(
  phase: MigrationPhase,
  command: string,
  target: CheckTarget,
  timeoutMs: number,
  deps: Pick<ControllerDeps, 'clock'>,
): Promise<MigrationRecord> {
  const vars = migrationVars(phase, target);
  const startedAt = deps.clock.now();
  const result = await runShell(command, {
    cwd: target.workdir,
    env: { ...process.env, ...target.env, ...vars },
    timeoutMs,
  });
  const finishedAt = deps.clock.now();
  const ok = result.status === 'exited' && result.code === 0;
  const how =
    result.status === 'failed-to-start'
      ? `could not start: ${result.message}`
      : result.status === 'timeout'
        ? `timed out after ${timeoutMs} ms`
        : result.status === 'killed'
          ? `killed by ${result.signal}`
          : `exited with ${result.code}`;
  const output = result.status === 'failed-to-start' ? '' : result.output;
  const last = result.status === 'failed-to-start' ? '' : result.lastLine;
  return {
    status: ok ? 'succeeded' : 'failed',
    command,
    result: ok || !last ? how : `${how}: ${last}`,
    output,
    startedAt,
    finishedAt,
    ...(ok ? {} : { retry: retryCommand(command, target.workdir, vars) }),
  };
}

/** The SLIPWAY_* variables a migration command sees. */
function migrationVars(phase: MigrationPhase, target: CheckTarget): Record<string, string> {
  const slipway = Object.entries(target.env).filter(([name]) => name.startsWith('SLIPWAY_'));
  return {
    ...Object.fromEntries(slipway),
    SLIPWAY_URL: target.url,
    SLIPWAY_REVISION: target.revision,
    SLIPWAY_MIGRATION: phase,
  };
}

/** A shell command that runs `command` again from `workdir` with the same SLIPWAY_* variables. */
function retryCommand(command: string, workdir: string, vars: Record<string, string>): string {
  const assignments = Object.entries(vars)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${quote(value)}`);
  return `cd ${quote(workdir)} && ${assignments.join(' ')} sh -c ${quote(command)}`;
}

function quote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Keeps the record in the rollout's data and appends its event. */
async function saveMigration(
  deps: ControllerDeps,
  rollout: Rollout,
  phase: MigrationPhase,
  record: MigrationRecord,
): Promise<void> {
  const stored = await deps.store.getRollout(rollout.id);
  const data = stored?.data ?? rollout.data;
  await deps.store.updateRollout(rollout.id, {
    data: { ...data, migrations: { ...migrationRecords(data), [phase]: record } },
  });
  const type =
    record.status === 'failed'
      ? 'migration.failed'
      : phase === 'expand'
        ? 'migration.expanded'
        : phase === 'contract'
          ? 'migration.contracted'
          : 'migration.reverted';
  await deps.store.appendEvent({
    type,
    actor: rollout.actor,
    service: rollout.service,
    environment: rollout.environment,
    commitSha: rollout.commitSha,
    subject: `rollout/${rollout.id}`,
    data: { rollout: rollout.id, phase, revision: rollout.revision, ...record },
  });
  deps.report({ type: 'migration.ran', rollout: rollout.id, phase, ...record });
}

/** Records a migration run outside a rollout's steps (`down` after a rollback) with its event. */
export const recordMigration = saveMigration;
