// GitOps routes: the latest reconcile pass (sync status and health per service and environment),
// a pass on demand, the history of syncs, and suspending or resuming the automatic passes.
import { z } from 'zod';
import { redact } from '../../gitops/git-mirror.js';
import { gitopsHistory, setSuspended, suspension } from '../../gitops/gitops-state.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { ApiError } from '../errors.js';
import type { GitOpsLoop } from '../gitops-loop.js';
import { AUTH_ERRORS, ErrorSchema, EventSchema, limitQuery } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

const AppSchema = z
  .object({
    service: z.string(),
    env: z.string(),
    sync: z.enum(['Synced', 'OutOfSync']),
    health: z.enum(['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing']),
    revision: z.string().optional().describe('the desired revision (absent for an orphan)'),
    live: z.string().optional().describe('the revision serving all traffic'),
    diff: z.array(z.string()),
    orphan: z.boolean(),
    action: z.object({ kind: z.enum(['none', 'sync', 'heal', 'prune', 'wait']) }).passthrough(),
  })
  .meta({ id: 'GitOpsApp' });

const StatusSchema = z.object({
  configured: z.boolean().describe('the project has a `gitops:` section'),
  repository: z.object({ url: z.string(), branch: z.string(), path: z.string() }).nullable(),
  suspended: z.object({ since: z.number(), actor: z.string(), reason: z.string().optional() }).nullable(),
  lastPass: z
    .object({
      at: z.number().int(),
      reason: z.string().describe('what started it: start, interval, push <sha>, api'),
      suspended: z.boolean(),
      error: z.string().optional(),
      commit: z
        .object({ commit: z.string(), author: z.string(), subject: z.string(), time: z.number() })
        .optional(),
      apps: z.array(AppSchema).optional(),
      applied: z.array(z.record(z.string(), z.unknown())).optional(),
      unreachable: z
        .array(z.object({ scope: z.string(), error: z.string() }))
        .optional()
        .describe('regions (`<env>@<region>`) whose hosts the pass could not reach'),
    })
    .nullable(),
});

const NOT_CONFIGURED = { description: 'the project has no `gitops:` section', schema: ErrorSchema };

/** The routes under /api/v1/gitops. */
export function gitopsRoutes(ctx: ServerContext, loop: GitOpsLoop): ApiRoute[] {
  const requireConfigured = async () => {
    await loop.refresh();
    if (!loop.settings)
      throw new ApiError(
        404,
        'NOT_CONFIGURED',
        "the server's project has no gitops: section in slipway.yaml",
      );
  };
  const changeSuspension = (suspend: boolean) =>
    defineRoute({
      method: 'POST',
      url: `/api/v1/gitops/${suspend ? 'suspend' : 'resume'}`,
      summary: suspend
        ? 'Suspend the automatic passes: they still plan, and change nothing'
        : 'Resume the automatic passes',
      tag: 'gitops',
      role: 'deployer',
      body: z.strictObject({ reason: z.string().max(500).optional() }),
      responses: {
        200: {
          description: 'the state now; `changed` is false when it already was',
          schema: z.object({ suspended: z.boolean(), changed: z.boolean() }),
        },
        ...AUTH_ERRORS,
      },
      async handler({ body, principal }) {
        const changed = await setSuspended(ctx.store, suspend, principal?.name ?? 'api', body.reason);
        return { suspended: suspend, changed };
      },
    });
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/gitops',
      summary: 'The latest reconcile pass: sync status, health, diff and action per service and environment',
      tag: 'gitops',
      role: 'viewer',
      responses: { 200: { description: 'the GitOps state', schema: StatusSchema }, ...AUTH_ERRORS },
      async handler() {
        await loop.refresh();
        const settings = loop.settings;
        const last = loop.last;
        const result = last?.result;
        return {
          configured: settings !== undefined,
          repository: settings ? { ...settings.repository, url: redact(settings.repository.url) } : null,
          suspended: (await suspension(ctx.store)) ?? null,
          lastPass: last
            ? {
                at: last.at,
                reason: last.reason,
                suspended: last.suspended,
                ...(last.error !== undefined ? { error: last.error } : {}),
                ...(result
                  ? {
                      commit: result.desired.commit,
                      apps: result.apps.map((app) => ({ ...app, diff: [...app.diff] })),
                      applied: result.applied.map((done) => ({ ...done })),
                      unreachable: result.unreachable.map((u) => ({ ...u })),
                    }
                  : {}),
              }
            : null,
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/gitops/sync',
      summary: 'Start a reconcile pass now (`force` retries a sync that ended rolled back)',
      tag: 'gitops',
      role: 'deployer',
      body: z.strictObject({ force: z.boolean().optional() }),
      responses: {
        202: { description: 'a pass started', schema: z.object({ status: z.literal('accepted') }) },
        ...AUTH_ERRORS,
        404: NOT_CONFIGURED,
      },
      async handler({ body, reply }) {
        await requireConfigured();
        loop.trigger('api', body.force === true);
        reply.code(202);
        return { status: 'accepted' as const };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/gitops/history',
      summary: 'Syncs, failures and prunes, newest first',
      tag: 'gitops',
      role: 'viewer',
      query: z.strictObject({ limit: limitQuery }),
      responses: {
        200: { description: 'events', schema: z.object({ events: z.array(EventSchema) }) },
        ...AUTH_ERRORS,
      },
      async handler({ query }) {
        return { events: await gitopsHistory(ctx.store, query.limit ?? 100) };
      },
    }),
    changeSuspension(true),
    changeSuspension(false),
  ];
}
