// Service routes: status and history per environment, and deploy, promote, abort, rollback in the background.
import { z } from 'zod';
import type { Platform, ServiceRef, ServiceStatus } from '../../platform/platform.js';
import { RolloutError } from '../../rollout/errors.js';
import { activeRollout, deploy, requestControl, rollback } from '../../rollout/rollout-service.js';
import type { Rollout } from '../../store/store.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { startObserved } from '../background.js';
import { AcceptedSchema, AUTH_ERRORS, ErrorSchema, limitQuery } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'expected a service or environment name');
const RefParams = z.strictObject({ service: name, env: name });

/** A rollout without its stored plan. */
function publicRollout(r: Rollout) {
  const { plan: _plan, owner: _owner, ...rest } = r;
  return rest;
}

/**
 * The platform's service list for status reads, batched: at most one call to the platform is in
 * flight, and the reads that arrive meanwhile share the next one. Every read still gets a list
 * fetched after it arrived (never an older answer), so a client that saw a rollout finish reads
 * the final weights; under load many reads cost one round trip to the agent instead of one each.
 */
class PlatformReads {
  private inFlight: Promise<readonly ServiceStatus[]> | undefined;
  private next: Promise<readonly ServiceStatus[]> | undefined;

  constructor(private readonly platform: Platform) {}

  list(): Promise<readonly ServiceStatus[]> {
    if (this.inFlight === undefined) return this.start();
    // The call in flight may have read the platform before this request came: join the next one.
    this.next ??= this.inFlight.then(
      () => this.afterInFlight(),
      () => this.afterInFlight(),
    );
    return this.next;
  }

  private afterInFlight(): Promise<readonly ServiceStatus[]> {
    this.next = undefined;
    return this.start();
  }

  private start(): Promise<readonly ServiceStatus[]> {
    const call = this.platform.list().finally(() => {
      if (this.inFlight === call) this.inFlight = undefined;
    });
    this.inFlight = call;
    return call;
  }
}

const CONFLICT = { 409: { description: 'a rollout is (or is not) in progress', schema: ErrorSchema } };
const UNKNOWN = { 404: { description: 'no such service or environment', schema: ErrorSchema } };

/** The routes under /api/v1/services. */
export function serviceRoutes(ctx: ServerContext): ApiRoute[] {
  const base = '/api/v1/services/:service/environments/:env';
  const ref = (p: { service: string; env: string }): ServiceRef => ({ service: p.service, env: p.env });
  const platformReads = new PlatformReads(ctx.platform);
  const control = (request: 'promote' | 'abort') =>
    defineRoute({
      method: 'POST',
      url: `${base}/${request}`,
      summary:
        request === 'promote'
          ? 'Promote the active rollout to its next step (full: straight to 100%)'
          : 'Abort the active rollout (traffic goes back to the stable revision)',
      tag: 'services',
      role: 'deployer',
      params: RefParams,
      body: z.strictObject(request === 'promote' ? { full: z.boolean().optional() } : {}),
      responses: {
        202: { description: 'request sent', schema: AcceptedSchema },
        ...AUTH_ERRORS,
        ...CONFLICT,
      },
      async handler({ params, body, reply }) {
        const active = await activeRollout(ctx.store, ref(params));
        if (!active)
          throw new RolloutError(
            'NO_ROLLOUT',
            `${params.service} has no rollout in progress in ${params.env}`,
          );
        const kind = request === 'promote' && (body as { full?: boolean }).full ? 'promote_full' : request;
        ctx.tasks.track(
          `${kind} of ${params.service}`,
          requestControl(ctx.controllerDeps(), ref(params), kind),
        );
        reply.code(202);
        return { status: 'accepted', rolloutId: active.id, request: kind };
      },
    });
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/services',
      summary: 'Services of the project and what runs of each, per environment',
      tag: 'services',
      role: 'viewer',
      query: z.strictObject({ env: name.optional() }),
      responses: {
        200: { description: 'services', schema: z.object({ services: z.array(z.unknown()) }) },
        ...AUTH_ERRORS,
      },
      async handler({ query }) {
        const config = await ctx.loadConfig();
        const running = (await platformReads.list()).filter((s) => !query.env || s.env === query.env);
        return {
          services: Object.keys(config.services)
            .sort()
            .map((service) => ({
              service,
              environments: running.filter((s) => s.service === service),
            })),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: base,
      summary: 'Weights, instances and the latest rollout of a service in an environment',
      tag: 'services',
      role: 'viewer',
      params: RefParams,
      responses: { 200: { description: 'status', schema: z.unknown() }, ...AUTH_ERRORS },
      async handler({ params }) {
        const [services, rollouts] = await Promise.all([
          platformReads.list(),
          ctx.store.listRollouts({ service: params.service, environment: params.env, limit: 1 }),
        ]);
        const status = services.find((s) => s.service === params.service && s.env === params.env);
        const latest = rollouts[0];
        return {
          service: params.service,
          env: params.env,
          status: status ?? null,
          rollout: latest ? publicRollout(latest) : null,
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/history`,
      summary: 'Every rollout of a service in an environment, newest first',
      tag: 'services',
      role: 'viewer',
      params: RefParams,
      query: z.strictObject({ limit: limitQuery }),
      responses: {
        200: { description: 'rollouts', schema: z.object({ rollouts: z.array(z.unknown()) }) },
        ...AUTH_ERRORS,
      },
      async handler({ params, query }) {
        const rollouts = await ctx.store.listRollouts({
          service: params.service,
          environment: params.env,
          limit: query.limit ?? 100,
        });
        return { rollouts: rollouts.map(publicRollout) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: `${base}/deploy`,
      summary: "Roll the service's current source out with the environment's strategy",
      tag: 'services',
      role: 'deployer',
      params: RefParams,
      body: z.strictObject({
        queue: z.boolean().optional().describe('wait for an active rollout instead of 409'),
      }),
      responses: {
        200: { description: 'nothing to do: the revision already serves', schema: z.unknown() },
        202: { description: 'the rollout started', schema: AcceptedSchema },
        ...AUTH_ERRORS,
        ...UNKNOWN,
        ...CONFLICT,
      },
      async handler({ params, body, principal, reply }) {
        const config = await ctx.loadConfig();
        const started = await startObserved(
          ctx.tasks,
          `deploy of ${params.service} to ${params.env}`,
          ctx.store,
          'createRollout',
          (store) =>
            deploy(
              { ...ctx.controllerDeps(), store },
              {
                config,
                projectDir: ctx.projectDir,
                service: params.service,
                env: params.env,
                actor: principal?.name ?? 'api',
                commitSha: null,
                ...(body.queue ? { queue: true } : {}),
              },
            ),
          30_000,
        );
        if (started.kind === 'settled') return started.value;
        reply.code(202);
        return { status: 'accepted', rolloutId: started.kind === 'created' ? started.id : null };
      },
    }),
    control('promote'),
    control('abort'),
    defineRoute({
      method: 'POST',
      url: `${base}/rollback`,
      summary: 'Back to the previous (or a named) revision in one switch',
      tag: 'services',
      role: 'deployer',
      params: RefParams,
      body: z.strictObject({
        to: z
          .string()
          .regex(/^r-[0-9a-f]{12}$/, 'expected a revision id r-xxxxxxxxxxxx')
          .optional(),
      }),
      responses: {
        200: { description: 'done (or nothing to do)', schema: z.unknown() },
        202: { description: 'the rollback started', schema: AcceptedSchema },
        ...AUTH_ERRORS,
        ...CONFLICT,
      },
      async handler({ params, body, principal, reply }) {
        const started = await startObserved(
          ctx.tasks,
          `rollback of ${params.service} in ${params.env}`,
          ctx.store,
          'createRollout',
          (store) =>
            rollback(
              { ...ctx.controllerDeps(), store },
              {
                ref: ref(params),
                ...(body.to ? { to: body.to } : {}),
                actor: principal?.name ?? 'api',
                workdir: ctx.projectDir,
              },
            ),
          5_000,
        );
        if (started.kind === 'settled') return started.value;
        reply.code(202);
        return { status: 'accepted', rolloutId: started.kind === 'created' ? started.id : null };
      },
    }),
  ];
}
