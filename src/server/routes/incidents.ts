// Incident routes: list, open and close incidents, the start and end of time to restore
// (`slipway incident` against a server calls these).
import { z } from 'zod';
import { listIncidents, openIncident, resolveIncident } from '../../metrics/incidents.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { AUTH_ERRORS, ErrorSchema, positiveInt } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

/** An incident as the API shows it. */
export const IncidentSchema = z
  .object({
    id: z.number().int().describe('the id of its incident.detected event'),
    service: z.string(),
    environment: z.string(),
    title: z.string(),
    openedAt: z.number().int(),
    openedBy: z.string(),
    resolvedAt: z.number().int().nullable(),
    externalId: z
      .string()
      .nullable()
      .describe('the id a monitoring system gave it, when a webhook opened it'),
  })
  .meta({ id: 'Incident' });

const IncidentAnswer = z.object({ incident: IncidentSchema });

/** The routes under /api/v1/incidents. */
export function incidentRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents',
      summary: 'Incidents, oldest first, with their resolution',
      tag: 'incidents',
      role: 'viewer',
      query: z.strictObject({
        service: z.string().min(1).optional(),
        env: z.string().min(1).optional(),
        open: z.enum(['true', 'false']).optional().describe('only open (true) or closed (false) ones'),
      }),
      responses: {
        200: { description: 'incidents', schema: z.object({ incidents: z.array(IncidentSchema) }) },
        ...AUTH_ERRORS,
      },
      async handler({ query }) {
        const incidents = await listIncidents(ctx.store, {
          ...(query.service !== undefined ? { service: query.service } : {}),
          ...(query.env !== undefined ? { environment: query.env } : {}),
          ...(query.open !== undefined ? { open: query.open === 'true' } : {}),
        });
        return { incidents };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/incidents',
      summary: 'Open an incident in a service and environment',
      tag: 'incidents',
      role: 'deployer',
      body: z.strictObject({
        service: z.string().min(1).max(200),
        environment: z.string().min(1).max(200),
        title: z.string().min(1).max(500).optional(),
      }),
      responses: {
        201: { description: 'the incident opened', schema: IncidentAnswer },
        ...AUTH_ERRORS,
      },
      async handler({ body, principal, reply }) {
        const { incident } = await openIncident(ctx.store, {
          service: body.service,
          environment: body.environment,
          ...(body.title !== undefined ? { title: body.title } : {}),
          actor: principal?.name ?? 'api',
        });
        reply.code(201);
        return { incident };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/incidents/:id/close',
      summary: 'Close an incident',
      tag: 'incidents',
      role: 'deployer',
      params: z.strictObject({ id: positiveInt.describe('incident id') }),
      responses: {
        200: { description: 'the incident closed', schema: IncidentAnswer },
        ...AUTH_ERRORS,
        404: { description: 'no such incident (`INCIDENT_UNKNOWN`)', schema: ErrorSchema },
        409: { description: 'it was closed already (`INCIDENT_RESOLVED`)', schema: ErrorSchema },
      },
      async handler({ params, principal }) {
        const incident = await resolveIncident(ctx.store, { id: params.id, actor: principal?.name ?? 'api' });
        return { incident };
      },
    }),
  ];
}
