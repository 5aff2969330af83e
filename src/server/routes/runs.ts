// Pipeline run routes: list, show, logs, and start, cancel and rerun in the background.
import { z } from 'zod';
import { RunSchema } from '../../pipeline/run-schema.js';
import { getRunOrThrow } from '../../pipeline/stored-run.js';
import type { Run } from '../../store/store.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { ApiError } from '../errors.js';
import {
  AcceptedSchema,
  AUTH_ERRORS,
  ErrorSchema,
  limitQuery,
  nonNegativeInt,
  RunIdParams,
} from '../schemas.js';
import type { ServerContext } from '../server-context.js';

const RUN_STATUSES = ['queued', 'running', 'waiting', 'success', 'failure', 'cancelled'] as const;

/** A run without its stored plan (the frozen config is not the API's to hand out). */
export function publicRun(run: Run): z.infer<typeof RunSchema> {
  return {
    id: run.id,
    pipeline: run.pipeline,
    status: run.status,
    commitSha: run.commitSha,
    branch: run.branch,
    actor: run.actor,
    trigger: run.trigger,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

const NOT_FOUND = { 404: { description: 'no such run', schema: ErrorSchema } };

/** The routes under /api/v1/runs. */
export function runRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/runs',
      summary: 'List runs, newest first',
      tag: 'runs',
      role: 'viewer',
      query: z.strictObject({ status: z.enum(RUN_STATUSES).optional(), limit: limitQuery }),
      responses: {
        200: { description: 'runs', schema: z.object({ runs: z.array(RunSchema) }) },
        ...AUTH_ERRORS,
      },
      async handler({ query }) {
        const runs = await ctx.store.listRuns({
          limit: query.limit ?? 100,
          ...(query.status ? { status: query.status } : {}),
        });
        return { runs: runs.map(publicRun) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/runs/:id',
      summary: 'A run with its jobs and approvals',
      tag: 'runs',
      role: 'viewer',
      params: RunIdParams,
      responses: {
        200: {
          description: 'the run',
          schema: z.object({
            run: RunSchema,
            jobs: z.array(z.record(z.string(), z.unknown())),
            approvals: z.array(z.record(z.string(), z.unknown())),
          }),
        },
        ...AUTH_ERRORS,
        ...NOT_FOUND,
      },
      async handler({ params }) {
        // The three reads go out together: on PostgreSQL each is a round trip of its own.
        const [run, jobs, approvals] = await Promise.all([
          getRunOrThrow(ctx.store, params.id),
          ctx.store.listJobRuns(params.id),
          ctx.store.listApprovals(params.id),
        ]);
        return { run: publicRun(run), jobs, approvals };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/runs/:id/logs',
      summary: "A run's stored (masked) log lines; pass the last id as afterId to tail",
      tag: 'runs',
      role: 'viewer',
      params: RunIdParams,
      query: z.strictObject({
        job: z.string().min(1).optional(),
        afterId: nonNegativeInt.optional(),
        limit: limitQuery,
      }),
      responses: {
        200: {
          description: 'log lines',
          schema: z.object({ lines: z.array(z.record(z.string(), z.unknown())) }),
        },
        ...AUTH_ERRORS,
        ...NOT_FOUND,
      },
      async handler({ params, query }) {
        await getRunOrThrow(ctx.store, params.id);
        const lines = await ctx.store.readLogs(params.id, {
          limit: query.limit ?? 1000,
          ...(query.job ? { jobKey: query.job } : {}),
          ...(query.afterId === undefined ? {} : { afterId: query.afterId }),
        });
        return { lines };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/runs',
      summary: 'Start a run of the pipeline (or one job and what it needs, or one stage)',
      tag: 'runs',
      role: 'deployer',
      body: z.strictObject({
        job: z.string().min(1).optional().describe('run only this job and the jobs it needs'),
        stage: z.string().min(1).optional().describe('run only this stage'),
      }),
      responses: { 202: { description: 'the run started', schema: AcceptedSchema }, ...AUTH_ERRORS },
      async handler({ body, principal, reply }) {
        if (body.job !== undefined && body.stage !== undefined)
          throw new ApiError(400, 'INVALID_REQUEST', 'body: give either job or stage, not both', 'stage');
        const config = await ctx.loadConfig();
        if (body.job !== undefined && !(body.job in config.jobs))
          throw new ApiError(400, 'INVALID_REQUEST', `body.job: no job '${body.job}' in the config`, 'job');
        if (body.stage !== undefined && !config.stages.some((s) => s.name === body.stage))
          throw new ApiError(
            400,
            'INVALID_REQUEST',
            `body.stage: no stage '${body.stage}' in the config`,
            'stage',
          );
        const runId = await ctx.runs.start(principal?.name ?? 'api', config, {
          ...(body.job ? { job: body.job } : {}),
          ...(body.stage ? { stage: body.stage } : {}),
        });
        reply.code(202);
        return { status: 'accepted', runId };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/runs/:id/cancel',
      summary: 'Cancel an active run',
      tag: 'runs',
      role: 'deployer',
      params: RunIdParams,
      responses: {
        202: { description: 'cancellation requested', schema: AcceptedSchema },
        ...AUTH_ERRORS,
        ...NOT_FOUND,
        409: { description: 'the run already finished', schema: ErrorSchema },
      },
      async handler({ params, principal, reply }) {
        const how = await ctx.runs.cancel(principal?.name ?? 'api', params.id);
        reply.code(202);
        return { status: 'accepted', runId: params.id, cancel: how };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/runs/:id/rerun',
      summary: 'Run a run again with its frozen config (failed: only failed jobs and their dependents)',
      tag: 'runs',
      role: 'deployer',
      params: RunIdParams,
      body: z.strictObject({ failed: z.boolean().optional() }),
      responses: {
        202: { description: 'the new run started', schema: AcceptedSchema },
        ...AUTH_ERRORS,
        ...NOT_FOUND,
      },
      async handler({ params, body, principal, reply }) {
        await getRunOrThrow(ctx.store, params.id);
        const runId = await ctx.runs.rerun(principal?.name ?? 'api', params.id, body.failed === true);
        reply.code(202);
        return { status: 'accepted', runId };
      },
    }),
  ];
}
