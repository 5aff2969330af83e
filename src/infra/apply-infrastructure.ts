/**
 * Applies exactly an approved plan under the environment's lease: the plan's files must still hash
 * to what was approved; Terraform applies the saved plan file (never a fresh plan) and refuses a
 * stale one; then the saved manifests and the Helm releases follow.
 */
import { join } from 'node:path';
import type { ResolvedInfrastructure } from '../config/resolved-infrastructure.js';
import { applyCluster, helmSourcesDigest } from './cluster-plan.js';
import { InfraError } from './errors.js';
import type { InfraDeps } from './infra-deps.js';
import { leaseKey, withInfraLease } from './infra-lease.js';
import { MANIFESTS_FILE, PLAN_FILE, planHash } from './plan-infrastructure.js';
import { getInfraPlan, type InfraPlan } from './plan-record.js';
import { applyArgs } from './terraform/terraform-commands.js';
import { terraformEnv } from './terraform/terraform-env.js';
import { failureText, runTerraform } from './terraform/terraform-runner.js';
import { terraformTarget } from './terraform/terraform-target.js';

/** Terraform's words for a saved plan made against an older state. */
const STALE = /Saved plan is stale/i;

/** Applies plan `planId` of `environment` (which must be approved, with its hash unchanged); returns it applied. */
export async function applyInfrastructure(
  deps: InfraDeps,
  request: { environment: string; infrastructure: ResolvedInfrastructure; planId: number; actor: string },
): Promise<InfraPlan> {
  const { environment, infrastructure: infra } = request;
  return withInfraLease(
    deps.store,
    leaseKey(deps.project, environment),
    'apply',
    async () => {
      const plan = await getInfraPlan(deps.store, environment, request.planId);
      if (plan.status === 'applied')
        throw new InfraError('INFRA_PLAN_APPLIED', `plan ${plan.id} of '${environment}' was applied already`);
      if (plan.status !== 'approved' || !plan.approval)
        throw new InfraError(
          'INFRA_PLAN_NOT_APPROVED',
          `plan ${plan.id} of '${environment}' is ${plan.status}, not approved: only an approved plan is applied`,
        );
      const hash = planHash(plan.dir, {
        terraform: plan.terraform !== null,
        manifests: plan.cluster !== null && plan.cluster.manifests > 0,
        ...(infra.helm.length > 0 ? { helmSources: helmSourcesDigest(deps.projectDir, infra) } : {}),
      });
      if (hash !== plan.approval.hash || hash !== plan.hash)
        throw new InfraError(
          'INFRA_PLAN_CHANGED',
          `plan ${plan.id} of '${environment}' is not what was approved: its files hash to ${hash.slice(0, 12)}, the approval to ${plan.approval.hash.slice(0, 12)}; plan again and have the new plan approved`,
        );
      const startedAt = Date.now();
      const fail = async (error: InfraError): Promise<never> => {
        await deps.store.appendEvent({
          type: 'infra.failed',
          actor: request.actor,
          environment,
          runId: plan.runId,
          subject: String(plan.id),
          data: { planId: plan.id, code: error.code, message: error.message },
        });
        throw error;
      };
      if (plan.terraform && infra.terraform) {
        const target = terraformTarget(deps.projectDir, infra.terraform);
        deps.log(`terraform: applying plan ${plan.id} (${plan.hash.slice(0, 12)})`);
        const result = await runTerraform(target.binary, applyArgs(target, join(plan.dir, PLAN_FILE)), {
          env: terraformEnv(deps.env),
          onLine: (line) => deps.log(line),
          ...(deps.signal ? { signal: deps.signal } : {}),
        });
        if (result.code !== 0) {
          if (STALE.test(result.stderr) || STALE.test(result.stdout))
            await fail(
              new InfraError(
                'INFRA_PLAN_STALE',
                `plan ${plan.id} of '${environment}' is stale: the Terraform state changed after it was made, so Terraform refuses it. Plan again (slipway infra plan ${environment}) and have the new plan approved`,
              ),
            );
          await fail(new InfraError('INFRA_TOOL_FAILED', `terraform apply failed:\n${failureText(result)}`));
        }
      }
      try {
        await applyCluster(deps, infra, join(plan.dir, MANIFESTS_FILE), plan);
      } catch (error) {
        await fail(
          error instanceof InfraError
            ? error
            : new InfraError('INFRA_TOOL_FAILED', `applying to the cluster failed: ${String(error)}`, {
                cause: error,
              }),
        );
      }
      await deps.store.appendEvent({
        type: 'infra.applied',
        actor: request.actor,
        environment,
        runId: plan.runId,
        subject: String(plan.id),
        data: {
          planId: plan.id,
          hash: plan.hash,
          durationMs: Date.now() - startedAt,
          ...(plan.terraform
            ? {
                add: plan.terraform.summary.add,
                change: plan.terraform.summary.change,
                destroy: plan.terraform.summary.destroy,
              }
            : {}),
        },
      });
      deps.log(`infrastructure of ${environment}: plan ${plan.id} applied`);
      return getInfraPlan(deps.store, environment, plan.id);
    },
    { ...(deps.waitMs !== undefined ? { waitMs: deps.waitMs } : {}) },
  );
}
