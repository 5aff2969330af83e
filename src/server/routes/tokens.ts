// Token routes (admin only): create a token shown once, list tokens without secrets, revoke one.
import { z } from 'zod';
import { generateToken, hashToken, ROLES, TOKEN_NAME } from '../../access/api-token.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { ApiError } from '../errors.js';
import { AUTH_ERRORS, ErrorSchema } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

const TokenName = z
  .string()
  .regex(TOKEN_NAME, "expected 1-64 letters, digits, '_', '.', '@' or '-'")
  .describe('unique token name');

/** A token as listed: never its value or hash. */
const TokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: z.enum(ROLES),
    createdAt: z.number().int(),
    createdBy: z.string(),
    lastUsedAt: z.number().int().nullable(),
    revokedAt: z.number().int().nullable(),
  })
  .meta({ id: 'Token' });

/** The routes under /api/v1/tokens. */
export function tokenRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/tokens',
      summary: 'Every token, revoked ones included: name, role, creator, last use (never the token)',
      tag: 'tokens',
      role: 'admin',
      responses: {
        200: { description: 'tokens', schema: z.object({ tokens: z.array(TokenSchema) }) },
        ...AUTH_ERRORS,
      },
      async handler() {
        return { tokens: await ctx.store.listTokens() };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/tokens',
      summary: 'Create a token; the answer is the only time its value is shown (only its sha256 is stored)',
      tag: 'tokens',
      role: 'admin',
      body: z.strictObject({ name: TokenName, role: z.enum(ROLES).describe('what the token may do') }),
      responses: {
        201: {
          description: 'the token, shown once',
          schema: z.object({ name: z.string(), role: z.enum(ROLES), token: z.string() }),
        },
        ...AUTH_ERRORS,
        409: { description: 'the name is taken (names of revoked tokens too)', schema: ErrorSchema },
      },
      async handler({ body, principal, reply }) {
        if ((await ctx.store.listTokens()).some((t) => t.name === body.name))
          throw new ApiError(409, 'CONFLICT', `a token named '${body.name}' already exists`, 'name');
        const token = generateToken();
        const created = await ctx.store.createToken({
          name: body.name,
          role: body.role,
          hash: hashToken(token),
          createdBy: principal?.name ?? 'api',
        });
        reply.code(201);
        return { name: created.name, role: created.role, token };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/tokens/:name/revoke',
      summary: 'Revoke a token: requests with it get 401 from then on',
      tag: 'tokens',
      role: 'admin',
      params: z.strictObject({ name: TokenName }),
      responses: {
        200: {
          description: 'revoked',
          schema: z.object({ name: z.string(), role: z.enum(ROLES), revokedAt: z.number().int().nullable() }),
        },
        ...AUTH_ERRORS,
        404: { description: 'no active token of that name', schema: ErrorSchema },
      },
      async handler({ params }) {
        const revoked = await ctx.store.revokeToken(params.name);
        return { name: revoked.name, role: revoked.role, revokedAt: revoked.revokedAt };
      },
    }),
  ];
}
