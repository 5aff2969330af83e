/**
 * Plans an environment's infrastructure under its lease: a saved Terraform plan, the policy check
 * and the cost estimate of its changes, the rendered and validated manifests (and the cluster dry
 * run when asked), all bound by one hash and recorded as `infra.planned`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedInfrastructure } from '../config/resolved-infrastructure.js';
import { PRIVATE_DIR_MODE } from '../state-files/private-modes.js';
import { helmSourcesDigest, planCluster } from './cluster-plan.js';
import { InfraError } from './errors.js';
import type { InfraDeps } from './infra-deps.js';
import { leaseKey, withInfraLease } from './infra-lease.js';
import { checkCost, checkPolicies, loadPlanChecks, type PlanChecks } from './plan-checks.js';
import { fold, type InfraPlan, type InfraPlanData } from './plan-record.js';
import { changeLines, summarizePlan, summaryLine } from './terraform/plan-summary.js';
import { terraformEnv } from './terraform/terraform-env.js';
import { prepareTerraform, savePlan } from './terraform/terraform-plan.js';
import { terraformTarget } from './terraform/terraform-target.js';

/** The saved Terraform plan's file name inside a plan's directory. */
export const PLAN_FILE = 'terraform.tfplan';
/** The rendered manifests' file name inside a plan's directory. */
export const MANIFESTS_FILE = 'manifests.yaml';

/**
 * The hash an approval binds to: SHA-256 over the saved plan and the rendered manifests, as they
 * are on disk, and over the Helm charts and values files (`helmSources`, their own digest): Helm
 * renders at install time, so what is pinned for it is its sources.
 */
export function planHash(
  dir: string,
  parts: { terraform: boolean; manifests: boolean; helmSources?: string },
): string {
  const hash = createHash('sha256');
  if (parts.helmSources !== undefined) hash.update(`helm\0${parts.helmSources}\0`);
  for (const [name, present] of [
    [PLAN_FILE, parts.terraform],
    [MANIFESTS_FILE, parts.manifests],
  ] as const) {
    hash.update(`${name}\0`);
    if (!present) continue;
    try {
      hash.update(readFileSync(join(dir, name)));
    } catch (error) {
      throw new InfraError('INFRA_PLAN_CHANGED', `the saved plan's ${name} is gone from ${dir}: plan again`, {
        cause: error,
      });
    }
  }
  return hash.digest('hex');
}

/** What a plan is made for. */
export interface PlanRequest {
  readonly environment: string;
  readonly infrastructure: ResolvedInfrastructure;
  readonly actor: string;
  readonly runId?: number;
}

/** Plans `request.environment`, records the plan, and returns it. */
export async function planInfrastructure(deps: InfraDeps, request: PlanRequest): Promise<InfraPlan> {
  const { environment, infrastructure: infra } = request;
  return withInfraLease(
    deps.store,
    leaseKey(deps.project, environment),
    'plan',
    async () => {
      const dir = join(
        deps.stateDir,
        'infra',
        environment,
        `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
      );
      mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      let terraform: InfraPlanData['terraform'] = null;
      let policy: InfraPlanData['policy'] = null;
      let cost: InfraPlanData['cost'] = null;
      if (infra.terraform) {
        const target = terraformTarget(deps.projectDir, infra.terraform);
        const run = {
          env: terraformEnv(deps.env),
          onLine: (line: string) => deps.log(line),
          ...(deps.signal ? { signal: deps.signal } : {}),
        };
        deps.log(
          `terraform: planning ${infra.terraform.dir}${target.workspace ? ` (workspace ${target.workspace})` : ''}`,
        );
        await prepareTerraform(target, run);
        const planning = savePlan(target, join(dir, PLAN_FILE), run);
        // While Terraform plans in its own process, this one reads and compiles the checks.
        let checks: PlanChecks;
        try {
          await new Promise((resolve) => setImmediate(resolve));
          checks = loadPlanChecks(deps.projectDir, infra);
        } catch (error) {
          await planning.catch(() => {});
          throw error;
        }
        const saved = await planning;
        const all = saved.plan.changes;
        const changes = all.filter((c) => c.action !== 'no-op');
        const summary = summarizePlan(changes);
        terraform = { version: saved.plan.terraformVersion, summary, changes };
        policy = checkPolicies(checks, changes, { environment, summary });
        // Unchanged resources count too: the totals are those of everything the plan manages.
        cost = checkCost(checks, all);
      }
      const cluster = await planCluster(deps, infra, join(dir, MANIFESTS_FILE));
      const data: InfraPlanData = {
        environment,
        runId: request.runId ?? null,
        hash: planHash(dir, {
          terraform: terraform !== null,
          manifests: cluster !== null && cluster.manifests > 0,
          ...(infra.helm.length > 0 ? { helmSources: helmSourcesDigest(deps.projectDir, infra) } : {}),
        }),
        dir,
        terraform,
        policy,
        cost,
        cluster,
      };
      const event = await deps.store.appendEvent({
        type: 'infra.planned',
        actor: request.actor,
        environment,
        runId: request.runId ?? null,
        data: data as unknown as Record<string, unknown>,
      });
      const plan = fold(event, []);
      for (const line of planReport(plan)) deps.log(line);
      return plan;
    },
    { ...(deps.waitMs !== undefined ? { waitMs: deps.waitMs } : {}) },
  );
}

/** The lines that show a plan: its summary, its changes, policy findings, cost, and manifests. */
export function planReport(plan: InfraPlan, limit = 50): string[] {
  const lines = [`infrastructure plan ${plan.id} of ${plan.environment} (hash ${plan.hash.slice(0, 12)})`];
  if (plan.terraform) {
    lines.push(`terraform: ${summaryLine(plan.terraform.summary)}`);
    lines.push(...changeLines(plan.terraform.summary, limit));
  }
  if (plan.policy) {
    lines.push(
      `policy: ${plan.policy.evaluated} checks, ${plan.policy.denied} deny, ${plan.policy.warned} warn`,
    );
    for (const v of plan.policy.violations.slice(0, limit))
      lines.push(`  ${v.severity === 'deny' ? 'DENY' : 'warn'} ${v.rule} on ${v.address}: ${v.message}`);
  }
  if (plan.cost) {
    const sign = plan.cost.monthlyDelta >= 0 ? '+' : '-';
    lines.push(
      `cost: ${sign}${Math.abs(plan.cost.monthlyDelta).toFixed(2)} ${plan.cost.currency}/month (${plan.cost.monthlyBefore.toFixed(2)} -> ${plan.cost.monthlyAfter.toFixed(2)})`,
    );
    if (plan.cost.unpriced.length > 0)
      lines.push(
        `  no price for ${plan.cost.unpriced.length}: ${plan.cost.unpriced
          .slice(0, 10)
          .map((u) => u.address)
          .join(', ')}`,
      );
  }
  if (plan.cluster) {
    lines.push(`kubernetes: ${plan.cluster.manifests} manifests, ${plan.cluster.issues.length} findings`);
    if (plan.cluster.releases.length > 0) lines.push(`helm: ${plan.cluster.releases.join(', ')}`);
  }
  return lines;
}
