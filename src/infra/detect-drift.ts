/**
 * Drift: a refresh-only plan compares the Terraform state with the real resources (what changed
 * outside Terraform), then a plan compares them with the configuration (what an apply made
 * outside Slipway, with other variables or another revision, left different). Either is drift; it
 * is recorded as `infra.drifted`, which the notification channels can announce.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedInfrastructure } from '../config/resolved-infrastructure.js';
import { InfraError } from './errors.js';
import type { InfraDeps } from './infra-deps.js';
import { leaseKey, withInfraLease } from './infra-lease.js';
import { type PlanSummary, summarizePlan } from './terraform/plan-summary.js';
import type { ResourceChange } from './terraform/resource-change.js';
import { terraformEnv } from './terraform/terraform-env.js';
import { prepareTerraform, savePlan } from './terraform/terraform-plan.js';
import { terraformTarget } from './terraform/terraform-target.js';

/** What a drift check found. */
export interface DriftReport {
  readonly environment: string;
  readonly drifted: boolean;
  /** Each resource changed outside Terraform (updated or deleted), masked: the refresh-only plan's drift. */
  readonly resources: readonly ResourceChange[];
  /** What a plan of the configuration would change now: the infrastructure no longer matches it. */
  readonly pending: PlanSummary;
  readonly checkedAt: number;
  /** The `infra.drifted` event's id, when drift was found. */
  readonly eventId?: number;
}

/** Runs a refresh-only plan of `environment` and reports its drift. */
export async function detectDrift(
  deps: InfraDeps,
  request: { environment: string; infrastructure: ResolvedInfrastructure; actor: string },
): Promise<DriftReport> {
  const { environment, infrastructure: infra } = request;
  if (!infra.terraform)
    throw new InfraError(
      'INFRA_NOT_CONFIGURED',
      `'${environment}' has no infrastructure.terraform to check for drift`,
    );
  const terraform = infra.terraform;
  return withInfraLease(
    deps.store,
    leaseKey(deps.project, environment),
    'drift',
    async () => {
      const target = terraformTarget(deps.projectDir, terraform);
      const run = {
        env: terraformEnv(deps.env),
        onLine: (line: string) => deps.log(line),
        ...(deps.signal ? { signal: deps.signal } : {}),
      };
      const scratch = mkdtempSync(join(tmpdir(), 'slipway-drift-'));
      try {
        await prepareTerraform(target, run);
        const saved = await savePlan(target, join(scratch, 'refresh.tfplan'), run, { refreshOnly: true });
        const resources = saved.plan.drift.filter((c) => c.action !== 'no-op' && c.action !== 'read');
        const converge = await savePlan(target, join(scratch, 'converge.tfplan'), run);
        const pending = summarizePlan(converge.plan.changes);
        const checkedAt = Date.now();
        if (resources.length === 0 && pending.changes.length === 0)
          return { environment, drifted: false, resources, pending, checkedAt };
        const event = await deps.store.appendEvent({
          type: 'infra.drifted',
          actor: request.actor,
          environment,
          data: {
            count: resources.length + pending.changes.length,
            resources: resources.map((r) => ({ address: r.address, action: r.action, changed: r.changed })),
            pending: {
              add: pending.add,
              change: pending.change,
              destroy: pending.destroy,
              changes: pending.changes,
            },
          },
        });
        return { environment, drifted: true, resources, pending, checkedAt, eventId: event.id };
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    { ...(deps.waitMs !== undefined ? { waitMs: deps.waitMs } : {}) },
  );
}
