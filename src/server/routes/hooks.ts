// GitHub webhooks: a signed `push` to the tracked branch records its commits as merged changes,
// checks the commit out into a workspace and starts a run there.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { formatDiagnostic } from '../../config/diagnostic.js';
import { ConfigFileError } from '../../config/errors.js';
import { loadConfigFile } from '../../config/load-config.js';
import type { ResolvedConfig } from '../../config/resolved.js';
import { pushedRepoKeys, repoKey } from '../../projects/repo-address.js';
import { type ApiRoute, defineRoute, type RouteDeps } from '../api-route.js';
import { noteAudit } from '../audit-note.js';
import { ApiError } from '../errors.js';
import type { GitOpsLoop } from '../gitops-loop.js';
import { mergedChanges, recordMergedChanges } from '../merged-changes.js';
import type { ProjectCheckouts } from '../projects/project-checkouts.js';
import { ErrorSchema } from '../schemas.js';
import type { ServerContext } from '../server-context.js';
import { headerOf as header, rawBodyOf, registerWebhookScope } from '../webhook-scope.js';
import { verifyWebhookSignature } from '../webhook-signature.js';
import type { Workspaces } from '../workspaces.js';

/** How the server takes webhooks: the shared secret, the branch it builds, where workspaces come from. */
export interface WebhookSettings {
  /** Undefined: webhooks are refused with 503 (nothing could verify them). */
  readonly secret: string | undefined;
  /** Pushes to other branches are ignored; null ignores every push. */
  readonly branch: string | null;
  /** The config file, relative to the project directory (the same path is read inside a workspace). */
  readonly configFile: string;
  readonly workspaces: Workspaces;
  /** Checkouts of registered projects (`slipway project add`), matched by the push's repository. */
  readonly projects: ProjectCheckouts;
  /** The reconcile loop of the project's `gitops:` section: a push to its branch starts a pass. */
  readonly gitops?: GitOpsLoop;
}

const PushPayload = z.object({
  ref: z.string(),
  after: z.string(),
  deleted: z.boolean().optional(),
  pusher: z.object({ name: z.string().min(1) }).optional(),
  repository: z.record(z.string(), z.unknown()).optional(),
  commits: z
    .array(
      z.object({
        id: z.string(),
        timestamp: z.string().optional(),
        message: z.string().optional(),
        author: z.object({ name: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});

const WebhookAnswer = z.object({
  status: z.enum(['accepted', 'ignored', 'duplicate']),
  runId: z.number().int().optional(),
  project: z.string().optional().describe('the registered project the push belongs to'),
  commitSha: z.string().optional(),
  duplicate: z.boolean().optional(),
  reason: z.string().optional(),
});

/** The pushed repository's `owner/name`, when the payload has it. */
function repositoryName(repository: Record<string, unknown> | undefined): string | null {
  const name = repository?.full_name;
  return typeof name === 'string' && name !== '' ? name : null;
}

/** Reads the config of a workspace; an invalid or missing file is the pushed commit's fault (422). */
function loadConfigAt(file: string): ResolvedConfig {
  try {
    const result = loadConfigFile(file);
    if (result.config) return result.config;
    const errors = result.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => formatDiagnostic(file, d));
    throw new ApiError(422, 'CONFIG_INVALID', `the pushed config is invalid: ${errors.join('; ')}`);
  } catch (error) {
    if (error instanceof ConfigFileError)
      throw new ApiError(
        422,
        'CONFIG_INVALID',
        `the pushed commit has no readable config: ${error.message}`,
        undefined,
        {
          cause: error,
        },
      );
    throw error;
  }
}

/** POST /api/v1/hooks/github. Public: the signature, not a token, authenticates it. */
export function webhookRoutes(ctx: ServerContext, settings: WebhookSettings): ApiRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/hooks/github',
      summary:
        "GitHub webhook (signed with X-Hub-Signature-256): a push to a registered project's branch (else the server's own project and branch) starts a run of the pushed commit",
      tag: 'hooks',
      role: null,
      responses: {
        200: { description: 'a delivery seen before: nothing started', schema: WebhookAnswer },
        202: { description: 'a run started, or the event was ignored', schema: WebhookAnswer },
        400: { description: 'a malformed payload or no delivery id', schema: ErrorSchema },
        401: { description: 'a bad or missing signature', schema: ErrorSchema },
        413: { description: 'a body over the limit', schema: ErrorSchema },
        422: {
          description: 'the commit is unknown (`UNKNOWN_COMMIT`) or its config invalid',
          schema: ErrorSchema,
        },
        503: { description: 'the server has no webhook secret', schema: ErrorSchema },
      },
      async handler({ request, reply }) {
        const event = header(request, 'x-github-event') ?? 'unknown';
        const delivery = header(request, 'x-github-delivery');
        if (settings.secret === undefined)
          throw new ApiError(
            503,
            'WEBHOOKS_DISABLED',
            'the server has no webhook secret: set SLIPWAY_WEBHOOK_SECRET or pass --webhook-secret-file',
          );
        const raw = rawBodyOf(request);
        if (!verifyWebhookSignature(settings.secret, raw, header(request, 'x-hub-signature-256')))
          throw new ApiError(
            401,
            'BAD_SIGNATURE',
            'the X-Hub-Signature-256 header is missing or does not match the body',
          );
        if (event !== 'push') {
          reply.code(202);
          return { status: 'ignored', reason: `'${event}' events start nothing` };
        }
        if (delivery === undefined)
          throw new ApiError(
            400,
            'INVALID_REQUEST',
            'a push needs an X-GitHub-Delivery header',
            'X-GitHub-Delivery',
          );
        let json: unknown;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch (error) {
          throw new ApiError(400, 'BAD_JSON', 'the push payload is not valid JSON', undefined, {
            cause: error,
          });
        }
        const parsed = PushPayload.safeParse(json);
        if (!parsed.success)
          throw new ApiError(
            400,
            'INVALID_REQUEST',
            `the push payload lacks ${parsed.error.issues[0]?.path.join('.')}`,
          );
        const push = parsed.data;
        const actor = `github:${push.pusher?.name ?? 'unknown'}`;
        noteAudit(request, { actor, details: { event, delivery, ref: push.ref, after: push.after } });
        const keys = pushedRepoKeys(push.repository);
        // A push to the branch holding the desired state starts a reconcile pass at once.
        await settings.gitops?.refresh();
        if (settings.gitops?.watches(keys, push.ref) && push.deleted !== true) {
          if (!(await ctx.store.recordWebhookDelivery({ deliveryId: delivery, event }))) {
            reply.code(200);
            return {
              status: 'duplicate',
              duplicate: true,
              reason: `delivery ${delivery} was handled before`,
            };
          }
          await recordMergedChanges(ctx.store, mergedChanges(push, actor, repositoryName(push.repository)));
          settings.gitops.trigger(`push ${push.after.slice(0, 12)}`);
          noteAudit(request, {
            actor,
            details: { event, delivery, ref: push.ref, after: push.after, gitops: true },
          });
          reply.code(202);
          return { status: 'accepted', commitSha: push.after, reason: 'a gitops reconcile pass started' };
        }
        // A registered project whose repository the push names wins; else the server's own project.
        const project = (await ctx.store.listProjects()).find((p) => keys.has(repoKey(p.repo)));
        const branch = project ? project.branch : settings.branch;
        if (branch === null || push.ref !== `refs/heads/${branch}` || push.deleted === true) {
          reply.code(202);
          return {
            status: 'ignored',
            reason:
              branch === null
                ? 'the server tracks no branch'
                : `only pushes to ${branch}${project ? ` of project ${project.name}` : ''} start runs${push.deleted === true ? ' (this one deletes it)' : ''}`,
          };
        }
        const projectDir = project
          ? await settings.projects.checkout(project, push.after)
          : await settings.workspaces.checkout(push.after);
        const config = loadConfigAt(join(projectDir, project ? 'slipway.yaml' : settings.configFile));
        // Recorded only now, so a delivery refused above (an unknown commit) may be redelivered later.
        if (!(await ctx.store.recordWebhookDelivery({ deliveryId: delivery, event }))) {
          reply.code(200);
          return { status: 'duplicate', duplicate: true, reason: `delivery ${delivery} was handled before` };
        }
        await recordMergedChanges(ctx.store, mergedChanges(push, actor, repositoryName(push.repository)));
        const runId = await ctx.runs.start(
          actor,
          config,
          {},
          { projectDir, git: { branch, sha: push.after }, trigger: 'push' },
        );
        noteAudit(request, {
          actor,
          details: {
            event,
            delivery,
            ref: push.ref,
            after: push.after,
            runId,
            project: project?.name ?? null,
          },
        });
        reply.code(202);
        return {
          status: 'accepted',
          runId,
          commitSha: push.after,
          ...(project ? { project: project.name } : {}),
        };
      },
    }),
  ];
}

/**
 * Registers the GitHub webhook routes in their own raw-body scope. Every request is noted for the
 * audit trail by its event and delivery id, so even a refused one is attributed.
 */
export function registerWebhookRoutes(
  app: FastifyInstance,
  routes: readonly ApiRoute[],
  deps: RouteDeps & { readonly bodyLimit: number },
): void {
  registerWebhookScope(app, routes, deps, (request) => ({
    actor: 'github',
    details: {
      event: header(request, 'x-github-event')?.slice(0, 100) ?? null,
      delivery: header(request, 'x-github-delivery')?.slice(0, 100) ?? null,
    },
  }));
}
