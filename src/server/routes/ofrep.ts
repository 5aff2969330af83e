// OFREP, the OpenFeature Remote Evaluation Protocol, answered from the server's current flag set:
// `POST /ofrep/v1/evaluate/flags/{key}` and the bulk `POST /ofrep/v1/evaluate/flags` (ETag and
// If-None-Match), the same answers each agent gives on its own host.
//
// Auth: a bearer token of any role, viewer and up, as for every read of the API. Flag values are
// the project's data (a variant may carry configuration), and the server, unlike an agent's
// loopback listener, may face a network; OFREP providers send the token with their `headers`
// option (`Authorization: Bearer slw_...`). Applications that should hold no token read their
// host's agent instead.
//
// CORS, for the web provider in a browser (ofrep-service.ts has the policy): every answer of these
// routes, 401/403/413 included, may be read by any origin, so a browser application sees why it was
// refused; the `OPTIONS` preflight is answered without a token (a browser sends none with it) and
// grants nothing but the right to send the POST, which still needs its token. Credentials are never
// allowed: the dashboard's session cookie does not work from another origin.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { answerOfrep, OFREP_CORS_HEADERS, OFREP_PREFIX, OFREP_PREFLIGHT } from '../../flags/ofrep-service.js';
import { type ApiRoute, defineRoute, type RouteDeps, type RouteInput, registerRoutes } from '../api-route.js';
import { ApiError } from '../errors.js';
import type { ServerFlags } from '../flags/server-flags.js';
import { AUTH_ERRORS, ErrorSchema } from '../schemas.js';

/** Largest request body read: an evaluation context, not a document (the agent's listener takes as much). */
const MAX_BODY = 64 * 1024;

/** The body of each OFREP request as sent: the bulk ETag covers the context it names. */
const rawBodies = new WeakMap<FastifyRequest, string>();

const Metadata = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
const Success = z
  .object({
    key: z.string(),
    value: z
      .unknown()
      .optional()
      .describe("absent when the code's default applies (a disabled flag, no default variant)"),
    reason: z.string().describe('STATIC, TARGETING_MATCH, SPLIT, DEFAULT, DISABLED...'),
    variant: z.string().optional(),
    metadata: Metadata,
  })
  .meta({ id: 'OfrepEvaluationSuccess' });
const Failure = z
  .object({
    key: z.string().optional(),
    errorCode: z
      .string()
      .describe(
        'FLAG_NOT_FOUND, PARSE_ERROR, TYPE_MISMATCH, TARGETING_KEY_MISSING, INVALID_CONTEXT, GENERAL',
      ),
    errorDetails: z.string(),
    metadata: Metadata.optional(),
  })
  .meta({ id: 'OfrepEvaluationFailure' });
const Request = z.object({
  context: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('the evaluation context: targetingKey and any attributes targeting reads'),
});

/** Answers one OFREP request from the engine `flags` serves now. */
async function answer(flags: ServerFlags, { request, reply }: RouteInput<unknown, unknown, unknown>) {
  const ifNoneMatch = request.headers['if-none-match'];
  const result = answerOfrep(flags.engine(), {
    method: request.method,
    path: request.url.split('?')[0] ?? request.url,
    body: rawBodies.get(request) ?? '',
    ifNoneMatch: Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch,
  });
  if (!result) throw new ApiError(404, 'NOT_FOUND', `no OFREP route ${request.url.split('?')[0]}`);
  return reply.code(result.status).headers(result.headers).send(result.body);
}

/** The two OFREP evaluation routes. */
export function ofrepRoutes(flags: ServerFlags): ApiRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: `${OFREP_PREFIX}/:key`,
      summary: 'OFREP: evaluate one flag for a context (a token of any role)',
      tag: 'ofrep',
      role: 'viewer',
      params: z.strictObject({ key: z.string().min(1).describe('flag key') }),
      body: Request,
      responses: {
        200: { description: 'the evaluation', schema: Success },
        400: { description: 'the context or the targeting failed', schema: Failure },
        401: AUTH_ERRORS[401],
        403: AUTH_ERRORS[403],
        404: { description: 'no such flag (`FLAG_NOT_FOUND`)', schema: Failure },
        413: { description: 'a body over 64 KiB', schema: ErrorSchema },
      },
      handler: (input) => answer(flags, input),
    }),
    defineRoute({
      method: 'POST',
      url: OFREP_PREFIX,
      summary:
        'OFREP: evaluate every flag for a context; answers carry an ETag, and If-None-Match gets a 304 while the answer is unchanged',
      tag: 'ofrep',
      role: 'viewer',
      body: Request,
      responses: {
        200: {
          description: 'every evaluation, with an ETag header',
          schema: z.object({ flags: z.array(z.union([Success, Failure])), metadata: Metadata }),
        },
        304: { description: 'the answer is the one If-None-Match names' },
        400: { description: 'the context is not JSON', schema: Failure },
        401: AUTH_ERRORS[401],
        403: AUTH_ERRORS[403],
        413: { description: 'a body over 64 KiB', schema: ErrorSchema },
      },
      handler: (input) => answer(flags, input),
    }),
  ];
}

/**
 * Registers the OFREP routes in a scope of their own, whose body parser keeps the body's text, with
 * CORS: the headers on every answer, and the preflights (no token: they run no route's auth).
 */
export function registerOfrepRoutes(
  app: FastifyInstance,
  routes: readonly ApiRoute[],
  deps: RouteDeps,
): void {
  void app.register(async (scope) => {
    // Before the routes' own onRequest (auth), so a refusal carries them too.
    scope.addHook('onRequest', async (_request, reply) => {
      reply.headers(OFREP_CORS_HEADERS);
    });
    for (const url of [OFREP_PREFIX, `${OFREP_PREFIX}/:key`])
      scope.route({
        method: 'OPTIONS',
        url,
        handler: async (_request, reply) =>
          reply.code(OFREP_PREFLIGHT.status).headers(OFREP_PREFLIGHT.headers).send(),
      });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY }, (request, body, done) => {
      rawBodies.set(request, body as string);
      done(null, undefined);
    });
    registerRoutes(scope, routes, deps);
  });
}
