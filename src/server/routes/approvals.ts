// Approval routes: list a run's gates and decide one; gated environments need the approver role.
import { z } from 'zod';
import { gatedEnvironments } from '../../config/deploy-targets.js';
import type { ResolvedApprovalProtection } from '../../config/resolved.js';
import { runInfraPlan } from '../../infra/plan-record.js';
import { decideApproval } from '../../pipeline/decide-approval.js';
import { readSnapshot } from '../../pipeline/run-snapshot.js';
import { getRunOrThrow } from '../../pipeline/stored-run.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { noteAudit } from '../audit-note.js';
import { requireRole } from '../auth.js';
import { ApiError } from '../errors.js';
import { AUTH_ERRORS, ErrorSchema, positiveInt, RunIdParams } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

const DecisionParams = z.strictObject({
  id: positiveInt.describe('run id'),
  environment: z.string().min(1).max(200),
});

const DecisionBody = z.strictObject({
  comment: z.string().max(2000).optional(),
  override: z
    .string()
    .min(1)
    .max(2000)
    .optional()
    .describe("an admin's written reason to approve an infrastructure plan a policy denies (audited)"),
});

/** The routes under /api/v1/runs/:id/approvals. */
export function approvalRoutes(ctx: ServerContext): ApiRoute[] {
  const decide = (decision: 'approved' | 'rejected') =>
    defineRoute({
      method: 'POST',
      url: `/api/v1/runs/:id/approvals/:environment/${decision === 'approved' ? 'approve' : 'reject'}`,
      summary: `${decision === 'approved' ? 'Approve' : 'Reject'} the manual gate of an environment (gated environments need approver)`,
      tag: 'approvals',
      role: 'deployer',
      params: DecisionParams,
      body: DecisionBody,
      responses: {
        200: {
          description: 'decided',
          schema: z.object({
            run: z.number().int(),
            environment: z.string(),
            decision: z.enum(['approved', 'rejected']),
            by: z.string(),
            status: z
              .enum(['pending', 'approved', 'rejected'])
              .describe("the gate's status now: pending while it needs more approvals"),
            approvals: z.number().int().describe('approvals the gate has so far'),
            required: z.number().int().describe('distinct approvals the gate needs'),
          }),
        },
        ...AUTH_ERRORS,
        403: {
          description:
            'the token role is too low (an override needs admin), or the environment prevents self-approval (`SELF_APPROVAL`)',
          schema: ErrorSchema,
        },
        404: { description: 'no such run or gate', schema: ErrorSchema },
        409: {
          description:
            "already decided, its infrastructure plan is denied by policy (`INFRA_POLICY_DENIED`), or the environment's protection refuses this approval (`PROTECTION_VIOLATION`: the run's starter under `approvers.excludeStarter`, or a second approval by the same approver under `approvers.required`)",
          schema: ErrorSchema,
        },
      },
      async handler({ params, body, principal, request }) {
        const run = await getRunOrThrow(ctx.store, params.id);
        // The run's frozen config decides which gates are protected, not today's file.
        const config = readSnapshot(run.plan)?.config ?? (await ctx.loadConfig());
        // A gitops sync's gate exists only because its environment is gated in the desired state.
        if (run.trigger === 'gitops' || gatedEnvironments(config).has(params.environment))
          requireRole(principal, 'approver', `deciding the '${params.environment}' gate`);
        const by = principal?.name ?? 'api';
        if (body.override !== undefined) requireRole(principal, 'admin', 'overriding a policy deny');
        // A snapshot frozen before approval protection existed has no `approval` on its environments.
        const protection = config.environments[params.environment]?.approval as
          | ResolvedApprovalProtection
          | undefined;
        if (decision === 'approved' && protection?.preventSelfApproval === true && by === run.actor)
          throw new ApiError(
            403,
            'SELF_APPROVAL',
            `'${params.environment}' prevents self-approval: token '${by}' started run ${run.id}, so another approver must approve it`,
          );
        const { approval } = await decideApproval(ctx.store, {
          runId: params.id,
          environment: params.environment,
          decision,
          actor: by,
          ...(body.comment ? { comment: body.comment } : {}),
          ...(body.override !== undefined ? { override: body.override, admin: true } : { admin: false }),
        });
        // The audit trail keeps who decided what, and an override's written reason.
        noteAudit(request, {
          actor: by,
          details: {
            environment: params.environment,
            decision,
            ...(body.override !== undefined ? { override: body.override } : {}),
          },
        });
        return {
          run: params.id,
          environment: params.environment,
          decision,
          by,
          status: approval.status,
          approvals: approval.votes.length,
          required: approval.required,
        };
      },
    });
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/runs/:id/approvals',
      summary: "A run's approval gates",
      tag: 'approvals',
      role: 'viewer',
      params: RunIdParams,
      responses: {
        200: {
          description: 'gates',
          schema: z.object({ approvals: z.array(z.record(z.string(), z.unknown())) }),
        },
        ...AUTH_ERRORS,
        404: { description: 'no such run', schema: ErrorSchema },
      },
      async handler({ params }) {
        await getRunOrThrow(ctx.store, params.id);
        const approvals = await ctx.store.listApprovals(params.id);
        // A gate in front of infrastructure shows the plan it approves: summary, changes, policy, cost.
        return {
          approvals: await Promise.all(
            approvals.map(async (approval) => {
              const plan = await runInfraPlan(ctx.store, params.id, approval.environment);
              return plan ? { ...approval, infraPlan: plan } : approval;
            }),
          ),
        };
      },
    }),
    decide('approved'),
    decide('rejected'),
  ];
}
