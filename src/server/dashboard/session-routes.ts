// The dashboard's session: trade a pasted API token for an HttpOnly cookie, ask who you are, log out.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { authenticateToken, SESSION_COOKIE } from '../auth.js';
import { ApiError } from '../errors.js';
import { AUTH_ERRORS, ErrorSchema } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

/** How long a dashboard login lasts; revoking the token ends it at once. */
const SESSION_SECONDS = 12 * 60 * 60;

const SessionSchema = z
  .object({
    name: z.string().describe('the token name, used as the actor'),
    role: z.enum(['viewer', 'deployer', 'approver', 'admin']),
    via: z.enum(['bearer', 'cookie']).describe('how this request was authenticated'),
  })
  .meta({ id: 'Session' });

/**
 * The cookie holding the token. HttpOnly keeps it from scripts; SameSite=Strict keeps it off
 * requests other sites start; Secure when the request came over TLS (a plain-HTTP server on
 * localhost could not set a Secure cookie at all).
 */
function sessionCookie(request: FastifyRequest, value: string, maxAge: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Strict${secure}`;
}

/** GET, POST and DELETE /api/v1/session, documented in the OpenAPI document like every API route. */
export function sessionRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/session',
      summary: 'Who is calling: the token name and role (the dashboard hides what the role may not do)',
      tag: 'session',
      role: 'viewer',
      responses: { 200: { description: 'the caller', schema: SessionSchema }, ...AUTH_ERRORS },
      async handler({ principal }) {
        if (!principal) throw new ApiError(401, 'UNAUTHORIZED', 'not logged in');
        return { name: principal.name, role: principal.role, via: principal.via ?? 'bearer' };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/session',
      summary: 'Log the dashboard in: checks an API token and sets it as an HttpOnly, SameSite=Strict cookie',
      tag: 'session',
      role: null,
      body: z.strictObject({ token: z.string().min(1).max(512).describe('an API token') }),
      responses: {
        200: { description: 'logged in; the cookie is set', schema: SessionSchema },
        400: { description: 'no token in the body', schema: ErrorSchema },
        401: { description: 'the token is unknown or revoked', schema: ErrorSchema },
      },
      async handler({ body, request, reply }) {
        const principal = await authenticateToken(ctx.store, request, body.token, ctx.clock.now(), 'cookie');
        if (!principal) throw new ApiError(401, 'UNAUTHORIZED', 'the token is unknown or revoked');
        reply.header('set-cookie', sessionCookie(request, body.token, SESSION_SECONDS));
        reply.header('cache-control', 'no-store');
        return { name: principal.name, role: principal.role, via: 'cookie' };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/session',
      summary:
        'Log the dashboard out: clears the session cookie (always allowed; a stale cookie logs out too)',
      tag: 'session',
      role: null,
      responses: {
        200: { description: 'logged out', schema: z.object({ status: z.literal('logged out') }) },
      },
      async handler({ request, reply }) {
        reply.header('set-cookie', sessionCookie(request, '', 0));
        reply.header('cache-control', 'no-store');
        return { status: 'logged out' as const };
      },
    }),
  ];
}
