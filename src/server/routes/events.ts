// Event log routes: a filtered page of events, and the live Server-Sent Events stream (fed by one shared tail) that resumes by id.
import { z } from 'zod';
import { EVENT_TYPES, type EventType, isEventType } from '../../store/event-types.js';
import type { EventFilter } from '../../store/store.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { ApiError } from '../errors.js';
import { EventTail } from '../event-tail.js';
import { AUTH_ERRORS, EventSchema, limitQuery, nonNegativeInt, positiveInt } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

/** Audit events are only for admins, through /api/v1/audit. */
const PUBLIC_TYPES: readonly EventType[] = EVENT_TYPES.filter((type) => type !== 'audit.recorded');

const filterFields = {
  type: z.string().min(1).optional().describe('comma-separated event types'),
  service: z.string().min(1).optional(),
  run: positiveInt.optional().describe('run id'),
  project: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe(
      "project name: events of its runs (and, for the server's own project, of its deployments and releases)",
    ),
  afterId: nonNegativeInt.optional().describe('only events with a greater id'),
};

/** Turns the `type`, `service`, `run` and `project` query fields into a store filter. */
async function filterOf(
  ctx: ServerContext,
  query: {
    type?: string | undefined;
    service?: string | undefined;
    run?: number | undefined;
    project?: string | undefined;
  },
): Promise<EventFilter> {
  let types = PUBLIC_TYPES;
  if (query.type !== undefined) {
    const asked = query.type.split(',').map((t) => t.trim());
    const bad = asked.find((t) => !isEventType(t) || t === 'audit.recorded');
    if (bad !== undefined)
      throw new ApiError(400, 'INVALID_REQUEST', `query.type: unknown event type '${bad}'`, 'type');
    types = asked as EventType[];
  }
  return {
    types,
    ...(query.service === undefined ? {} : { service: query.service }),
    ...(query.run === undefined ? {} : { runId: query.run }),
    ...(query.project === undefined
      ? {}
      : {
          project: {
            pipeline: query.project,
            // Deployments, rollouts and releases carry no run: they are the server's own project's.
            runlessToo: query.project === (await ctx.loadConfig()).project.name,
          },
        }),
  };
}

/** The routes under /api/v1/events. */
export function eventRoutes(ctx: ServerContext): ApiRoute[] {
  const tail = new EventTail({
    store: ctx.store,
    logger: ctx.logger,
    pollMs: ctx.pollMs,
    closing: ctx.closing,
    now: () => ctx.clock.now(),
  });
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/events',
      summary: 'Events of the delivery log in id order (audit events excluded)',
      tag: 'events',
      role: 'viewer',
      query: z.strictObject({ ...filterFields, limit: limitQuery }),
      responses: {
        200: { description: 'events', schema: z.object({ events: z.array(EventSchema) }) },
        ...AUTH_ERRORS,
      },
      async handler({ query }) {
        const events = await ctx.store.listEvents({
          ...(await filterOf(ctx, query)),
          limit: query.limit ?? 100,
          ...(query.afterId === undefined ? {} : { afterId: query.afterId }),
        });
        return { events };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/events/stream',
      summary:
        'Live events as Server-Sent Events; each carries `id:`, so Last-Event-ID (or afterId) resumes. Without either the stream starts now.',
      tag: 'events',
      role: 'viewer',
      query: z.strictObject(filterFields),
      responses: {
        200: {
          description: 'an endless event stream; each data line is one Event',
          mediaType: 'text/event-stream',
          schema: EventSchema,
        },
        ...AUTH_ERRORS,
      },
      async handler({ query, request, reply }) {
        const filter = await filterOf(ctx, query);
        const header = request.headers['last-event-id'];
        const afterId =
          typeof header === 'string' && /^\d{1,15}$/.test(header) ? Number(header) : query.afterId;
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write(': stream open\n\n');
        const subscription = tail.subscribe({ filter, afterId }, res);
        res.on('close', () => subscription.unsubscribe());
        // A client gone before the listener was attached would otherwise stay subscribed.
        if (request.raw.socket === null || request.raw.socket.destroyed) subscription.unsubscribe();
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit',
      summary: 'The audit trail: one event per mutating request (admin only)',
      tag: 'audit',
      role: 'admin',
      query: z.strictObject({ afterId: nonNegativeInt.optional(), limit: limitQuery }),
      responses: {
        200: { description: 'audit events', schema: z.object({ events: z.array(EventSchema) }) },
        ...AUTH_ERRORS,
      },
      async handler({ query }) {
        const events = await ctx.store.listEvents({
          types: ['audit.recorded'],
          limit: query.limit ?? 100,
          ...(query.afterId === undefined ? {} : { afterId: query.afterId }),
        });
        return { events };
      },
    }),
  ];
}
