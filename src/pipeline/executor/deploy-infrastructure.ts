/**
 * The infrastructure of a deploy environment, around its approval gate: planned before the gate
 * (so the approver sees the plan), applied after it, exactly as approved, before the services
 * deploy. A run resumed after a crash reuses the plan it made.
 */
import { join } from 'node:path';
import type { ResolvedInfrastructure } from '../../config/resolved-infrastructure.js';
import { applyInfrastructure } from '../../infra/apply-infrastructure.js';
import { approvePlan } from '../../infra/approve-plan.js';
import type { InfraDeps } from '../../infra/infra-deps.js';
import { planInfrastructure } from '../../infra/plan-infrastructure.js';
import { getInfraPlan, type InfraPlan, runInfraPlan } from '../../infra/plan-record.js';
import type { Run, Store } from '../../store/store.js';
import type { AttemptLog } from './log-sink.js';

/** What provisioning an environment in a run needs. */
export interface ProvisionInput {
  readonly store: Store;
  readonly run: Run;
  readonly project: string;
  readonly projectDir: string;
  readonly environment: string;
  readonly infrastructure: ResolvedInfrastructure;
  readonly env: Readonly<Record<string, string>>;
  readonly log: AttemptLog;
  readonly signal: AbortSignal;
}

function depsOf(input: ProvisionInput): InfraDeps {
  return {
    store: input.store,
    project: input.project,
    projectDir: input.projectDir,
    stateDir: join(input.projectDir, '.slipway'),
    env: input.env,
    log: (line) => input.log.write('stdout', `${line}\n`),
    signal: input.signal,
    // A pipeline waits its turn behind a drift check or a hand-run plan.
    waitMs: 10 * 60_000,
  };
}

/** Plans the environment's infrastructure for this run (or finds the plan it already made). */
export async function planForRun(input: ProvisionInput): Promise<InfraPlan> {
  const existing = await runInfraPlan(input.store, input.run.id, input.environment);
  if (existing && existing.status !== 'failed') {
    input.log.system(`infrastructure: plan ${existing.id} of this run (${existing.status})`);
    return existing;
  }
  return planInfrastructure(depsOf(input), {
    environment: input.environment,
    infrastructure: input.infrastructure,
    actor: input.run.actor,
    runId: input.run.id,
  });
}

/**
 * Applies the run's plan once its gate opened. A gate that approved it bound the approval to its
 * hash; without a manual gate the plan is approved here, and a policy deny fails the deploy.
 */
export async function applyForRun(input: ProvisionInput, planned: InfraPlan): Promise<InfraPlan> {
  let plan = await getInfraPlan(input.store, input.environment, planned.id);
  if (plan.status === 'applied') return plan;
  if (plan.status === 'planned') {
    await approvePlan((event) => input.store.appendEvent(event), plan, { actor: 'slipway', admin: false });
    plan = await getInfraPlan(input.store, input.environment, planned.id);
  }
  return applyInfrastructure(depsOf(input), {
    environment: input.environment,
    infrastructure: input.infrastructure,
    planId: plan.id,
    actor: plan.approval?.by ?? input.run.actor,
  });
}
