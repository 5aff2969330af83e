// The incident webhook: a monitoring system opens and resolves incidents by its own ids, signed
// with a shared secret (`X-Slipway-Signature: sha256=<hex HMAC-SHA256 of the raw body>`).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isSlipwayError } from '../../errors/slipway-error.js';
import { type Incident, listIncidents, openIncident, resolveIncident } from '../../metrics/incidents.js';
import { type ApiRoute, defineRoute, type RouteDeps } from '../api-route.js';
import { noteAudit } from '../audit-note.js';
import { ApiError } from '../errors.js';
import { ErrorSchema } from '../schemas.js';
import type { ServerContext } from '../server-context.js';
import { headerOf, rawBodyOf, registerWebhookScope } from '../webhook-scope.js';
import { verifyWebhookSignature } from '../webhook-signature.js';
import { IncidentSchema } from './incidents.js';

/** The environment variable holding the secret when `incidentWebhookSecret` is not given. */
export const INCIDENT_SECRET_ENV = 'SLIPWAY_INCIDENT_WEBHOOK_SECRET';
/** The header carrying the body's signature. */
export const INCIDENT_SIGNATURE_HEADER = 'x-slipway-signature';
/** Who incidents the webhook opens and closes are attributed to. */
const ACTOR = 'incident-webhook';

/** The payload: unknown fields are ignored, so a monitoring system may send more. */
const Payload = z.object({
  action: z.enum(['opened', 'resolved']),
  id: z.string().min(1).max(200).describe("the monitoring system's id of the incident"),
  service: z.string().min(1).max(200).optional(),
  environment: z.string().min(1).max(200).optional(),
  title: z.string().min(1).max(500).optional(),
  time: z.iso.datetime({ offset: true }).optional().describe('when it opened or was resolved (default now)'),
});

const Answer = z.object({
  status: z.enum(['opened', 'resolved']),
  duplicate: z.boolean().describe('the incident was open (opened) or closed (resolved) already'),
  incident: IncidentSchema,
});

type Payload = z.output<typeof Payload>;
/** A checked payload: an opened incident names its service and environment. */
type Received =
  | (Payload & { action: 'opened'; service: string; environment: string })
  | (Payload & { action: 'resolved' });

/** Parses the raw body; a 400 names the field at fault. */
function readPayload(raw: Buffer): Received {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ApiError(400, 'BAD_JSON', 'the incident payload is not valid JSON', undefined, {
      cause: error,
    });
  }
  const parsed = Payload.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'body';
    throw new ApiError(400, 'INVALID_REQUEST', `body.${field}: ${issue?.message ?? 'invalid'}`, field);
  }
  const payload = parsed.data;
  if (payload.action === 'resolved') return { ...payload, action: 'resolved' };
  const { service, environment } = payload;
  if (service === undefined)
    throw new ApiError(400, 'INVALID_REQUEST', 'body.service: an opened incident needs it', 'service');
  if (environment === undefined)
    throw new ApiError(
      400,
      'INVALID_REQUEST',
      'body.environment: an opened incident needs it',
      'environment',
    );
  return { ...payload, action: 'opened', service, environment };
}

/** Resolves the open incident with `externalId`; one closed already is answered as it is (webhooks retry). */
async function resolveExternal(
  ctx: ServerContext,
  payload: Payload,
  time: number | undefined,
): Promise<{ incident: Incident; duplicate: boolean }> {
  const where = payload.service !== undefined ? { service: payload.service } : {};
  try {
    const incident = await resolveIncident(ctx.store, {
      externalId: payload.id,
      ...where,
      actor: ACTOR,
      ...(time !== undefined ? { time } : {}),
    });
    return { incident, duplicate: false };
  } catch (error) {
    if (!isSlipwayError(error) || error.code !== 'INCIDENT_RESOLVED') throw error;
    const closed = (await listIncidents(ctx.store, where)).findLast((i) => i.externalId === payload.id);
    if (!closed) throw error;
    return { incident: closed, duplicate: true };
  }
}

/** POST /api/v1/hooks/incidents. Public: the signature, not a token, authenticates it. */
export function incidentWebhookRoutes(ctx: ServerContext, secret: string | undefined): ApiRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/hooks/incidents',
      summary:
        "Incident webhook (signed with X-Slipway-Signature): `opened` opens an incident with the sender's id, `resolved` closes it",
      tag: 'hooks',
      role: null,
      // No body schema: the body is read raw, and checked only once its signature is.
      responses: {
        200: { description: 'resolved, or opened already (`duplicate`)', schema: Answer },
        201: { description: 'an incident opened', schema: Answer },
        400: { description: 'a malformed payload; `error.field` names the field', schema: ErrorSchema },
        401: { description: 'a bad or missing signature', schema: ErrorSchema },
        404: { description: 'resolved: no incident has that id (`INCIDENT_UNKNOWN`)', schema: ErrorSchema },
        413: { description: 'a body over the limit', schema: ErrorSchema },
        422: { description: 'resolved before it opened (`INCIDENT_INVALID`)', schema: ErrorSchema },
        503: { description: 'the server has no incident webhook secret', schema: ErrorSchema },
      },
      async handler({ request, reply }) {
        if (secret === undefined)
          throw new ApiError(
            503,
            'WEBHOOKS_DISABLED',
            `the server has no incident webhook secret: set ${INCIDENT_SECRET_ENV}`,
          );
        const raw = rawBodyOf(request);
        if (!verifyWebhookSignature(secret, raw, headerOf(request, INCIDENT_SIGNATURE_HEADER)))
          throw new ApiError(
            401,
            'BAD_SIGNATURE',
            'the X-Slipway-Signature header is missing or does not match the body',
          );
        const payload = readPayload(raw);
        const time = payload.time === undefined ? undefined : Date.parse(payload.time);
        const note = { action: payload.action, externalId: payload.id, service: payload.service ?? null };
        noteAudit(request, { actor: ACTOR, details: note });
        const { incident, duplicate } =
          payload.action === 'opened'
            ? await openIncident(ctx.store, {
                service: payload.service,
                environment: payload.environment,
                ...(payload.title !== undefined ? { title: payload.title } : {}),
                actor: ACTOR,
                externalId: payload.id,
                ...(time !== undefined ? { time } : {}),
              }).then((r) => ({ incident: r.incident, duplicate: !r.created }))
            : await resolveExternal(ctx, payload, time);
        noteAudit(request, { actor: ACTOR, details: { ...note, incident: incident.id, duplicate } });
        if (payload.action === 'opened' && !duplicate) reply.code(201);
        return { status: payload.action, duplicate, incident };
      },
    }),
  ];
}

/** Registers the incident webhook in its own raw-body scope; every request is audited, refused ones too. */
export function registerIncidentWebhook(
  app: FastifyInstance,
  routes: readonly ApiRoute[],
  deps: RouteDeps & { readonly bodyLimit: number },
): void {
  registerWebhookScope(app, routes, deps, () => ({ actor: ACTOR, details: {} }));
}
