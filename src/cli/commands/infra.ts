/**
 * `slipway infra plan|show|apply|drift ENV`: an environment's infrastructure by hand, the same
 * engine the pipeline's deploy stage runs: a saved plan with its policy check and cost, applied
 * exactly as approved, and drift.
 */
import { parseDuration } from '../../config/duration.js';
import type { ResolvedInfrastructure } from '../../config/resolved-infrastructure.js';
import { applyInfrastructure } from '../../infra/apply-infrastructure.js';
import { approvePlan } from '../../infra/approve-plan.js';
import { type DriftReport, detectDrift } from '../../infra/detect-drift.js';
import { InfraError } from '../../infra/errors.js';
import type { InfraDeps } from '../../infra/infra-deps.js';
import { planInfrastructure, planReport } from '../../infra/plan-infrastructure.js';
import { getInfraPlan, type InfraPlan } from '../../infra/plan-record.js';
import { changeLines, summarizePlan, summaryLine } from '../../infra/terraform/plan-summary.js';
import type { Store } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { stateDirOf } from '../platform.js';
import { actorOf, loadProject, openProjectStore } from '../project.js';
import { remoteClient, requireLocal } from '../remote/remote-context.js';

/** Options every `infra` command takes. */
export interface InfraOptions {
  /** Wait this long for an environment another operation holds (e.g. `2m`). */
  readonly wait?: string;
  /** Print Terraform's, kubectl's and helm's own output too (on stderr). */
  readonly verbose?: boolean;
  /** A plan id (default: the environment's latest). */
  readonly plan?: string;
  /** An admin's written reason to apply a plan a policy denies. */
  readonly override?: string;
}

interface Opened {
  readonly deps: InfraDeps;
  readonly infrastructure: ResolvedInfrastructure;
  readonly store: Store;
}

async function withInfra(
  ctx: CommandContext,
  environment: string,
  options: InfraOptions,
  use: (opened: Opened) => Promise<number>,
): Promise<number> {
  const project = await loadProject(ctx);
  const env = project.config.environments[environment];
  if (!env) {
    const known = Object.keys(project.config.environments);
    throw new UsageError(
      `no environment '${environment}' in slipway.yaml${known.length > 0 ? ` (environments: ${known.join(', ')})` : ''}`,
    );
  }
  if (!env.infrastructure)
    throw new InfraError(
      'INFRA_NOT_CONFIGURED',
      `environment '${environment}' has no infrastructure: block in slipway.yaml`,
    );
  let waitMs = 0;
  if (options.wait !== undefined) {
    const ms = parseDuration(options.wait);
    if (ms === undefined)
      throw new UsageError(`--wait takes a duration such as 30s or 2m, got '${options.wait}'`);
    waitMs = ms;
  }
  const store = await openProjectStore(ctx, project.projectDir);
  try {
    const deps: InfraDeps = {
      store,
      project: project.config.project.name,
      projectDir: project.projectDir,
      stateDir: stateDirOf(project.projectDir),
      env: ctx.io.env,
      log: (line) => {
        if (options.verbose && !ctx.output.json) ctx.output.error(line);
      },
      waitMs,
    };
    return await use({ deps, infrastructure: env.infrastructure, store });
  } finally {
    await store.close();
  }
}

function planId(options: InfraOptions): number | undefined {
  if (options.plan === undefined) return undefined;
  const id = Number(options.plan);
  if (!Number.isInteger(id) || id <= 0) throw new UsageError(`--plan takes a plan id, got '${options.plan}'`);
  return id;
}

function printPlan(ctx: CommandContext, plan: InfraPlan): void {
  ctx.output.data(plan);
  for (const line of planReport(plan)) ctx.output.line(line);
  const status =
    plan.status === 'approved'
      ? `approved by ${plan.approval?.by}`
      : plan.status === 'applied'
        ? `applied by ${plan.applied?.by}`
        : plan.status === 'failed'
          ? `failed: ${plan.failure?.message}`
          : 'waiting for approval';
  ctx.output.line(
    `status: ${status}${plan.override ? ` (policy overridden by ${plan.override.by}: ${plan.override.reason})` : ''}`,
  );
}

/** Plans an environment's infrastructure and prints the plan. */
export function infraPlan(ctx: CommandContext, environment: string, options: InfraOptions): Promise<number> {
  // A server plans in a run's deploy stage and applies at its gate; by hand is this machine's.
  requireLocal(ctx, 'slipway infra plan');
  return withInfra(ctx, environment, options, async ({ deps, infrastructure }) => {
    const plan = await planInfrastructure(deps, { environment, infrastructure, actor: actorOf(ctx) });
    printPlan(ctx, plan);
    if ((plan.policy?.denied ?? 0) > 0)
      ctx.output.line(`a policy denies this plan: applying it needs an admin's --override "REASON"`);
    ctx.output.line(`apply it with: slipway infra apply ${environment} --plan ${plan.id}`);
    return ExitCode.Ok;
  });
}

/** Prints a plan of an environment (its latest, or --plan) and what became of it. */
export async function infraShow(
  ctx: CommandContext,
  environment: string,
  options: InfraOptions,
): Promise<number> {
  const client = remoteClient(ctx);
  if (client) {
    const base = `/api/v1/infra/${encodeURIComponent(environment)}/plans`;
    let id = planId(options);
    if (id === undefined) {
      const { plans } = await client.get<{ plans: { id: number }[] }>(base, { limit: 1 });
      id = plans[0]?.id;
      if (id === undefined)
        throw new InfraError(
          'INFRA_PLAN_NOT_FOUND',
          `'${environment}' has no infrastructure plan on the server yet`,
        );
    }
    printPlan(ctx, await client.get<InfraPlan>(`${base}/${id}`));
    return ExitCode.Ok;
  }
  return withInfra(ctx, environment, options, async ({ store }) => {
    printPlan(ctx, await getInfraPlan(store, environment, planId(options)));
    return ExitCode.Ok;
  });
}

/** Approves (as the local user) and applies a plan: exactly its saved files, refused when stale or changed. */
export function infraApply(ctx: CommandContext, environment: string, options: InfraOptions): Promise<number> {
  requireLocal(
    ctx,
    "slipway infra apply (on a server, a plan is approved at its run's gate: slipway approve RUN ENV)",
  );
  return withInfra(ctx, environment, options, async ({ deps, infrastructure, store }) => {
    const actor = actorOf(ctx);
    const plan = await getInfraPlan(store, environment, planId(options));
    // The local user owns the project's store: they act as its admin.
    await approvePlan((event) => store.appendEvent(event), plan, {
      actor,
      admin: true,
      ...(options.override !== undefined ? { override: options.override } : {}),
    });
    const applied = await applyInfrastructure(deps, { environment, infrastructure, planId: plan.id, actor });
    ctx.output.data(applied);
    ctx.output.line(`plan ${applied.id} of ${environment} applied (${applied.hash.slice(0, 12)})`);
    if (applied.terraform) ctx.output.line(`terraform: ${summaryLine(applied.terraform.summary)}`);
    return ExitCode.Ok;
  });
}

/** Looks for drift (here, or on the server with --server); exits 1 when there is some. */
export async function infraDrift(
  ctx: CommandContext,
  environment: string,
  options: InfraOptions,
): Promise<number> {
  const client = remoteClient(ctx);
  if (client) {
    const { body } = await client.post<DriftReport>(
      `/api/v1/infra/${encodeURIComponent(environment)}/drift`,
      {},
    );
    return printDrift(ctx, body);
  }
  return withInfra(ctx, environment, options, async ({ deps, infrastructure }) =>
    printDrift(ctx, await detectDrift(deps, { environment, infrastructure, actor: actorOf(ctx) })),
  );
}

// Prints a drift report; its exit code: 1 when there is drift.
function printDrift(ctx: CommandContext, report: DriftReport): number {
  const environment = report.environment;
  ctx.output.data(report);
  if (!report.drifted) {
    ctx.output.line(`no drift in ${environment}`);
    return ExitCode.Ok;
  }
  ctx.output.line(`drift in ${environment}:`);
  if (report.resources.length > 0) {
    ctx.output.line(`changed outside Terraform (${report.resources.length}):`);
    for (const line of changeLines(summarizePlan(report.resources))) ctx.output.line(line);
  }
  if (report.pending.changes.length > 0) {
    ctx.output.line(`differs from the configuration: ${summaryLine(report.pending)}`);
    for (const line of changeLines(report.pending, 50)) ctx.output.line(line);
  }
  return ExitCode.Failed;
}
