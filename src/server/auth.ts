// Bearer tokens to principals, and the role check every protected route runs before reading its body.
import type { FastifyRequest } from 'fastify';
import type { Store, TokenRole } from '../store/store.js';
import { hashToken, roleAtLeast } from './api-token.js';
import { ApiError } from './errors.js';

/** Who is calling: the token's name (used as the actor) and role. */
export interface Principal {
  readonly tokenId: number;
  readonly name: string;
  readonly role: TokenRole;
}

/** Last-use stamps are written at most this often per token, so reads do not turn into writes. */
const TOUCH_EVERY_MS = 60_000;

const principals = new WeakMap<FastifyRequest, Principal>();

/** The principal `authenticateRequest` found for a request, if any. */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

/**
 * Resolves the request's `Authorization: Bearer` token. The token is looked up by its sha256,
 * so the comparison never touches the secret itself and timing reveals nothing about it.
 * Throws 401 for a malformed header or an unknown or revoked token; no header is no principal.
 */
export async function authenticateRequest(
  store: Store,
  request: FastifyRequest,
  now: number,
): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1])
    throw new ApiError(401, 'UNAUTHORIZED', 'the Authorization header must be `Bearer <token>`');
  const token = await store.findTokenByHash(hashToken(match[1]));
  if (!token) throw new ApiError(401, 'UNAUTHORIZED', 'the token is unknown or revoked');
  if (token.lastUsedAt === null || now - token.lastUsedAt >= TOUCH_EVERY_MS) await store.touchToken(token.id);
  const principal: Principal = { tokenId: token.id, name: token.name, role: token.role };
  principals.set(request, principal);
  return principal;
}

/** Throws 401 without a principal and 403 when its role is below `needed`. */
export function requireRole(principal: Principal | undefined, needed: TokenRole, what?: string): Principal {
  if (!principal)
    throw new ApiError(401, 'UNAUTHORIZED', 'this endpoint needs a token: `Authorization: Bearer <token>`');
  if (!roleAtLeast(principal.role, needed))
    throw new ApiError(
      403,
      'FORBIDDEN',
      `${what ?? 'this endpoint'} needs the ${needed} role; token '${principal.name}' is ${principal.role}`,
    );
  return principal;
}
