// The server app factory: fastify with the API routes, auth, audit trail, health, metrics and OpenAPI.
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DEFAULT_SLO } from '../config/slo-schema.js';
import { readGitInfo } from '../pipeline/git-info.js';
import { secretReader } from '../pipeline/secrets/secret-reader.js';
import { controllerId } from '../rollout/controller/rollout-controller.js';
import { type ApiRoute, defineRoute, registerRoutes } from './api-route.js';
import { auditNoteOf } from './audit-note.js';
import { principalOf } from './auth.js';
import { BackgroundTasks } from './background.js';
import { ConfigByMtime } from './config-by-mtime.js';
import { dashboardRoutes, registerDashboard } from './dashboard/dashboard.js';
import { installErrorHandler } from './errors.js';
import { ServerFlags } from './flags/server-flags.js';
import { GitOpsLoop } from './gitops-loop.js';
import { InfraDriftLoop } from './infra-drift-loop.js';
import { ServerMetrics } from './metrics.js';
import { Notifier } from './notifier.js';
import { buildOpenApi } from './openapi.js';
import { ProjectCheckouts } from './projects/project-checkouts.js';
import { approvalRoutes } from './routes/approvals.js';
import { deliveryRoutes } from './routes/delivery.js';
import { eventRoutes } from './routes/events.js';
import { findingRoutes } from './routes/findings.js';
import { flagRoutes } from './routes/flags.js';
import { gitopsRoutes } from './routes/gitops.js';
import { registerWebhookRoutes, webhookRoutes } from './routes/hooks.js';
import {
  INCIDENT_SECRET_ENV,
  incidentWebhookRoutes,
  registerIncidentWebhook,
} from './routes/incident-hook.js';
import { incidentRoutes } from './routes/incidents.js';
import { infraRoutes } from './routes/infra.js';
import { notificationRoutes } from './routes/notifications.js';
import { ofrepRoutes, registerOfrepRoutes } from './routes/ofrep.js';
import { projectRoutes } from './routes/project.js';
import { projectsRoutes } from './routes/projects.js';
import { releaseRoutes } from './routes/releases.js';
import { runRoutes } from './routes/runs.js';
import { serviceRoutes } from './routes/services.js';
import { tokenRoutes } from './routes/tokens.js';
import type { ServerContext, ServerDeps } from './server-context.js';
import { ServerRuns } from './server-runs.js';
import { Takeover } from './takeover.js';
import { Workspaces } from './workspaces.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A built server: the fastify app, and `close` that stops streams, aborts runs and waits for background work. */
export interface SlipwayServer {
  readonly app: FastifyInstance;
  /** Every route with its schemas (what the OpenAPI document lists). */
  readonly routes: readonly ApiRoute[];
  close(): Promise<void>;
}

/** Builds the server over `deps`; call `app.listen` to serve and `close` to stop. */
export function createServer(deps: ServerDeps): SlipwayServer {
  const bodyLimit = deps.bodyLimit ?? 1024 * 1024;
  // With TLS settings the instance serves HTTPS; its routes and hooks are the same either way.
  const app = Fastify({
    logger: false,
    bodyLimit,
    forceCloseConnections: true,
    ...(deps.https ? { https: { cert: deps.https.cert, key: deps.https.key } } : {}),
  }) as unknown as FastifyInstance;
  // The API speaks JSON only: any other body is a 415, not a string handed to a handler.
  app.removeContentTypeParser('text/plain');
  const closing = new AbortController();
  const tasks = new BackgroundTasks(deps.logger);
  const env = deps.env ?? process.env;
  // One lease holder name for every run and rollout this server drives; `:server` tells it from a CLI's.
  const owner = `${controllerId()}:server`;
  const config = new ConfigByMtime(join(deps.projectDir, deps.configFile ?? 'slipway.yaml'), deps.loadConfig);
  const ctx: ServerContext = {
    ...deps,
    loadConfig: () => config.get(),
    pollMs: deps.pollMs ?? 250,
    tasks,
    closing: closing.signal,
    runs: new ServerRuns({
      store: deps.store,
      clock: deps.clock,
      logger: deps.logger,
      tasks,
      projectDir: deps.projectDir,
      env,
      owner,
      ...(deps.concurrency === undefined ? {} : { concurrency: deps.concurrency }),
      ...(deps.slipwayCommand ? { slipwayCommand: deps.slipwayCommand } : {}),
    }),
    controllerDeps: () => ({
      store: deps.store,
      platform: deps.platform,
      clock: deps.clock,
      owner,
      // Closing the server releases its rollouts where they stand, for another server to take over.
      signal: closing.signal,
      env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
      secret: secretReader(env, deps.projectDir),
      report: (event) => {
        if (event.type === 'rollout.finished')
          deps.logger.info(
            `rollout ${event.rollout} ${event.status}${event.reason ? `: ${event.reason}` : ''}`,
          );
        if (event.type === 'flagrollout.finished')
          deps.logger.info(
            `flag rollout of ${event.flag} ${event.status}${event.reason ? `: ${event.reason}` : ''}`,
          );
      },
    }),
  };
  const metrics = new ServerMetrics(deps.store, {
    clock: deps.clock,
    // A config that cannot be read leaves the SLO gauges out rather than failing the scrape.
    slo: () =>
      ctx.loadConfig().then(
        (c) => c.slo ?? DEFAULT_SLO,
        () => undefined,
      ),
  });
  const takeover = new Takeover({
    store: deps.store,
    tasks,
    logger: deps.logger,
    controllerDeps: ctx.controllerDeps,
    runs: ctx.runs,
    clock: deps.clock,
    ...(deps.takeoverMs === undefined ? {} : { everyMs: deps.takeoverMs }),
  });
  takeover.start();
  const gitops = new GitOpsLoop({
    projectDir: deps.projectDir,
    loadConfig: ctx.loadConfig,
    controllerDeps: ctx.controllerDeps,
    tasks,
    logger: deps.logger,
    env,
  });
  // The flag set OFREP answers from, kept current with changes made here and elsewhere.
  const flags = new ServerFlags({
    store: deps.store,
    loadConfig: ctx.loadConfig,
    platform: deps.platform,
    logger: deps.logger,
    pollMs: ctx.pollMs,
  });
  // Scheduled drift checks of environments with `infrastructure.drift.every`, and checks on demand.
  const drift = new InfraDriftLoop({
    store: deps.store,
    projectDir: deps.projectDir,
    loadConfig: ctx.loadConfig,
    env,
    clock: deps.clock,
    tasks,
    logger: deps.logger,
    signal: closing.signal,
  });
  installErrorHandler(app, (message) => deps.logger.error(message));
  recordAudit(app, deps);

  const apiRoutes = [
    ...projectRoutes(ctx),
    ...projectsRoutes(ctx),
    ...runRoutes(ctx),
    ...approvalRoutes(ctx),
    ...serviceRoutes(ctx),
    ...releaseRoutes(ctx),
    ...eventRoutes(ctx),
    ...tokenRoutes(ctx),
    ...dashboardRoutes(ctx),
    ...gitopsRoutes(ctx, gitops),
    ...notificationRoutes(ctx),
    ...deliveryRoutes(ctx),
    ...incidentRoutes(ctx),
    ...infraRoutes(ctx, drift),
    ...findingRoutes(ctx),
    ...flagRoutes(flags),
  ];
  const openapiRoute = defineRoute({
    method: 'GET',
    url: '/api/v1/openapi.json',
    summary: 'This document',
    tag: 'meta',
    role: null,
    responses: {
      200: { description: 'the OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) },
    },
    async handler() {
      return document;
    },
  });
  const hookRoutes = webhookRoutes(ctx, {
    secret: deps.webhookSecret ?? (env.SLIPWAY_WEBHOOK_SECRET || undefined),
    branch: deps.branch ?? readGitInfo(deps.projectDir).branch,
    configFile: deps.configFile ?? 'slipway.yaml',
    workspaces: new Workspaces(deps.projectDir),
    projects: new ProjectCheckouts(deps.projectDir),
    gitops,
  });
  const incidentHooks = incidentWebhookRoutes(
    ctx,
    deps.incidentWebhookSecret ?? (env[INCIDENT_SECRET_ENV] || undefined),
  );
  const jsonRoutes: ApiRoute[] = [...apiRoutes, ...operationalRoutes(ctx, metrics), openapiRoute];
  const ofrep = ofrepRoutes(flags);
  const routes: ApiRoute[] = [...jsonRoutes, ...ofrep, ...hookRoutes, ...incidentHooks];
  const document = buildOpenApi(routes, deps.version ?? '0.0.0');
  registerRoutes(app, jsonRoutes, { store: deps.store, clock: deps.clock });
  registerWebhookRoutes(app, hookRoutes, { store: deps.store, clock: deps.clock, bodyLimit });
  registerIncidentWebhook(app, incidentHooks, { store: deps.store, clock: deps.clock, bodyLimit });
  registerOfrepRoutes(app, ofrep, { store: deps.store, clock: deps.clock });
  registerDashboard(app);

  // Counts new events between scrapes too, so counters stay current without a scrape.
  const tail = setInterval(() => {
    metrics.catchUp().catch((error: unknown) => deps.logger.error(`metrics: ${String(error)}`));
  }, ctx.pollMs * 4);
  tail.unref();
  if (deps.gitops !== false) gitops.start();
  const notifier = new Notifier({
    store: deps.store,
    projectDir: deps.projectDir,
    loadConfig: ctx.loadConfig,
    env,
    logger: deps.logger,
    owner,
    ...(deps.pollMs === undefined ? {} : { pollMs: deps.pollMs }),
  });
  notifier.start();
  flags.start();
  drift.start();

  return {
    app,
    routes,
    async close() {
      clearInterval(tail);
      takeover.stop();
      gitops.stop();
      drift.stop();
      await notifier.stop();
      await flags.stop();
      closing.abort();
      ctx.runs.abortAll();
      await app.close();
      await tasks.drain();
    },
  };
}

/** /healthz, /readyz and /metrics: public, for probes and Prometheus. */
function operationalRoutes(ctx: ServerContext, metrics: ServerMetrics): ApiRoute[] {
  const Status = z.object({ status: z.string(), checks: z.record(z.string(), z.string()).optional() });
  return [
    defineRoute({
      method: 'GET',
      url: '/healthz',
      summary: 'Liveness: the process answers',
      tag: 'meta',
      role: null,
      responses: { 200: { description: 'alive', schema: Status } },
      async handler() {
        return { status: 'ok' };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/readyz',
      summary: 'Readiness: the store answers and has every migration (the newest table is readable)',
      tag: 'meta',
      role: null,
      responses: {
        200: { description: 'ready', schema: Status },
        503: { description: 'not ready', schema: Status },
      },
      async handler({ reply }) {
        try {
          await ctx.store.listEvents({ limit: 1 });
          await ctx.store.listTokens();
          return { status: 'ready', checks: { store: 'ok', migrations: 'ok' } };
        } catch (error) {
          ctx.logger.error(
            `readiness check failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          reply.code(503);
          return { status: 'not ready', checks: { store: 'unreachable or not migrated' } };
        }
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/metrics',
      summary:
        'Prometheus metrics: runs, jobs, deploys, rollbacks, durations, queue depth, delivery figures of production over 90 days',
      tag: 'meta',
      role: null,
      responses: {
        200: { description: 'Prometheus text format', mediaType: 'text/plain', schema: z.string() },
      },
      async handler({ reply }) {
        const text = await metrics.text();
        reply.type(metrics.registry.contentType);
        return text;
      },
    }),
  ];
}

/** Appends an `audit.recorded` event for every mutating API request, before its answer goes out. */
function recordAudit(app: FastifyInstance, deps: ServerDeps): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!MUTATING.has(request.method) || !request.url.startsWith('/api/')) return payload;
    const principal = principalOf(request);
    const note = auditNoteOf(request);
    try {
      await deps.store.appendEvent({
        type: 'audit.recorded',
        actor: principal?.name ?? note?.actor ?? 'anonymous',
        subject: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
        data: {
          method: request.method,
          // The query string is left out: nothing a client puts there belongs in a permanent log.
          path: request.url.split('?')[0] ?? request.url,
          token: principal?.name ?? null,
          role: principal?.role ?? null,
          remoteAddress: request.ip,
          status: reply.statusCode,
          ...(note ? { details: note.details } : {}),
        },
      });
    } catch (error) {
      deps.logger.error(
        `audit event not recorded: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return payload;
  });
}
