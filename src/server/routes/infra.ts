// Infrastructure routes: an environment's plans (a list without the changes' attributes, and one
// whole plan, with what became of each) and a drift check on demand.
import { z } from 'zod';
import type { DriftReport } from '../../infra/detect-drift.js';
import { InfraError } from '../../infra/errors.js';
import { getInfraPlan, type InfraPlan, listInfraPlans } from '../../infra/plan-record.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { noteAudit } from '../audit-note.js';
import { ApiError } from '../errors.js';
import type { InfraDriftLoop } from '../infra-drift-loop.js';
import { AUTH_ERRORS, ErrorSchema, limitQuery, positiveInt } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

const EnvironmentParams = z.strictObject({ environment: z.string().min(1).max(200) });
const PlanParams = z.strictObject({
  environment: z.string().min(1).max(200),
  id: positiveInt.describe('plan id (the id of its `infra.planned` event)'),
});

const ChangeAction = z.enum(['create', 'update', 'delete', 'replace', 'no-op', 'read']);

const SummarySchema = z
  .object({
    add: z.number().int(),
    change: z.number().int(),
    destroy: z.number().int(),
    replace: z.number().int().describe('of those, resources replaced'),
    changes: z.array(z.object({ address: z.string(), action: ChangeAction, changed: z.array(z.string()) })),
  })
  .describe("Terraform's counts (a replace is one to add and one to destroy) and each change")
  .meta({ id: 'InfraPlanSummary' });

const ResourceChangeSchema = z
  .object({
    address: z.string(),
    type: z.string(),
    name: z.string(),
    module: z.string().optional(),
    action: ChangeAction,
    changed: z.array(z.string()),
    before: z.record(z.string(), z.unknown()).nullable().describe('sensitive values masked'),
    after: z.record(z.string(), z.unknown()).nullable().describe('sensitive values masked'),
  })
  .meta({ id: 'InfraResourceChange' });

const PolicySchema = z
  .object({
    violations: z.array(
      z.object({
        rule: z.string(),
        file: z.string(),
        severity: z.enum(['deny', 'warn']),
        address: z.string(),
        action: ChangeAction,
        message: z.string(),
      }),
    ),
    denied: z.number().int(),
    warned: z.number().int(),
    evaluated: z.number().int(),
  })
  .nullable()
  .describe('the compliance check (null without policies)');

const CostTotals = {
  currency: z.string(),
  monthlyBefore: z.number(),
  monthlyAfter: z.number(),
  monthlyDelta: z.number(),
};

/** The fields every plan answer has, with `terraform`, `cost` and `cluster` as each answer shows them. */
function planSchema(terraform: z.ZodType, cost: z.ZodType, cluster: z.ZodType) {
  return z.object({
    id: z.number().int().describe('the id of its `infra.planned` event'),
    environment: z.string(),
    runId: z.number().int().nullable().describe('the run that planned it, null for `slipway infra plan`'),
    actor: z.string(),
    createdAt: z.number().int(),
    status: z.enum(['planned', 'approved', 'applied', 'failed']),
    hash: z.string().describe('SHA-256 of what is applied: the saved plan and the rendered manifests'),
    dir: z.string().describe('where the server keeps the saved plan'),
    terraform: terraform.nullable(),
    policy: PolicySchema,
    cost: cost.nullable(),
    cluster: cluster.nullable(),
    approval: z.object({ by: z.string(), hash: z.string(), at: z.number() }).optional(),
    override: z
      .object({ by: z.string(), reason: z.string(), at: z.number() })
      .optional()
      .describe("an admin's reason to approve a plan a policy denies"),
    applied: z.object({ by: z.string(), at: z.number(), durationMs: z.number() }).optional(),
    failure: z.object({ message: z.string(), code: z.string(), at: z.number() }).optional(),
  });
}

const ClusterCounts = {
  manifests: z.number().int(),
  issues: z.array(z.record(z.string(), z.unknown())),
  releases: z.array(z.string()),
};

const PlanListItemSchema = planSchema(
  z.object({ version: z.string(), summary: SummarySchema }),
  z.object({ ...CostTotals, unpricedCount: z.number().int().describe('resources without a price') }),
  z.object(ClusterCounts),
).meta({ id: 'InfraPlanListItem' });

const PlanSchema = planSchema(
  z.object({ version: z.string(), summary: SummarySchema, changes: z.array(ResourceChangeSchema) }),
  z.object({
    ...CostTotals,
    items: z.array(z.record(z.string(), z.unknown())),
    unpriced: z.array(z.object({ address: z.string(), type: z.string() })),
  }),
  z.object({ ...ClusterCounts, diff: z.string().optional() }),
).meta({ id: 'InfraPlan' });

const DriftReportSchema = z
  .object({
    environment: z.string(),
    drifted: z.boolean(),
    resources: z.array(ResourceChangeSchema).describe('each resource changed outside Terraform'),
    pending: SummarySchema.describe('what a plan of the configuration would change now'),
    checkedAt: z.number().int(),
    eventId: z.number().int().optional().describe('the `infra.drifted` event, when drift was found'),
  })
  .meta({ id: 'InfraDriftReport' });

/** A plan as the list shows it: counts and totals, without each change's attributes, cost items or diff. */
export function planListItem(plan: InfraPlan): Record<string, unknown> {
  const { terraform, cost, cluster, ...rest } = plan;
  return {
    ...rest,
    terraform: terraform ? { version: terraform.version, summary: terraform.summary } : null,
    cost: cost
      ? {
          currency: cost.currency,
          monthlyBefore: cost.monthlyBefore,
          monthlyAfter: cost.monthlyAfter,
          monthlyDelta: cost.monthlyDelta,
          unpricedCount: cost.unpriced.length,
        }
      : null,
    cluster: cluster
      ? { manifests: cluster.manifests, issues: cluster.issues, releases: cluster.releases }
      : null,
  };
}

/** The routes under /api/v1/infra. */
export function infraRoutes(ctx: ServerContext, drift: InfraDriftLoop): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/infra/:environment/plans',
      summary: "An environment's infrastructure plans, newest first, without each change's attributes",
      tag: 'infra',
      role: 'viewer',
      params: EnvironmentParams,
      query: z.strictObject({ limit: limitQuery }),
      responses: {
        200: {
          description: 'plans (an environment without any has none)',
          schema: z.object({ environment: z.string(), plans: z.array(PlanListItemSchema) }),
        },
        ...AUTH_ERRORS,
      },
      async handler({ params, query }) {
        const plans = await listInfraPlans(ctx.store, params.environment);
        return {
          environment: params.environment,
          plans: plans
            .reverse()
            .slice(0, query.limit ?? 100)
            .map(planListItem),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/infra/:environment/plans/:id',
      summary: 'One infrastructure plan: every change (sensitive values masked), policy, cost, approval',
      tag: 'infra',
      role: 'viewer',
      params: PlanParams,
      responses: {
        200: { description: 'the plan', schema: PlanSchema },
        ...AUTH_ERRORS,
        404: { description: 'no such plan of the environment (`INFRA_PLAN_NOT_FOUND`)', schema: ErrorSchema },
      },
      async handler({ params }) {
        return getInfraPlan(ctx.store, params.environment, params.id);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/infra/:environment/drift',
      summary:
        'Look for drift now: a refresh-only plan and a plan of the configuration; drift is recorded as `infra.drifted`',
      tag: 'infra',
      role: 'deployer',
      params: EnvironmentParams,
      responses: {
        200: { description: 'what the check found', schema: DriftReportSchema },
        ...AUTH_ERRORS,
        400: {
          description:
            'the environment has no `infrastructure.terraform` (`INFRA_NOT_CONFIGURED`), or a bad request',
          schema: ErrorSchema,
        },
        404: { description: 'no such environment (`ENVIRONMENT_NOT_FOUND`)', schema: ErrorSchema },
        409: {
          description:
            'another operation holds the environment (`INFRA_BUSY`): a plan, an apply, a drift check',
          schema: ErrorSchema,
        },
        502: { description: 'Terraform failed (`INFRA_TOOL_FAILED`), with its message', schema: ErrorSchema },
        503: { description: 'Terraform is not installed (`INFRA_TOOL_MISSING`)', schema: ErrorSchema },
      },
      async handler({ params, principal, request }) {
        const actor = principal?.name ?? 'api';
        let report: DriftReport;
        try {
          report = await drift.check(params.environment, actor);
        } catch (error) {
          // Terraform's message is about the user's configuration: the caller sees it, not a bare 500.
          if (error instanceof InfraError && error.code === 'INFRA_TOOL_FAILED')
            throw new ApiError(502, error.code, error.message, undefined, { cause: error });
          throw error;
        }
        noteAudit(request, {
          actor,
          details: {
            environment: params.environment,
            drifted: report.drifted,
            ...(report.eventId !== undefined ? { event: report.eventId } : {}),
          },
        });
        return report;
      },
    }),
  ];
}
