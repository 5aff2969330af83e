// Bearer tokens (or the dashboard's session cookie) to principals, and the role check every protected
// route runs before reading its body.
import type { FastifyRequest } from 'fastify';
import { hashToken, roleAtLeast } from '../access/api-token.js';
import type { Store, TokenRole } from '../store/store.js';
import { ApiError } from './errors.js';

/** Who is calling: the token's name (used as the actor) and role. */
export interface Principal {
  readonly tokenId: number;
  readonly name: string;
  readonly role: TokenRole;
  /** How the token came: an Authorization header, or the dashboard's session cookie. */
  readonly via?: 'bearer' | 'cookie';
}

/** The cookie the dashboard's login sets; it holds the API token itself, readable only by the server. */
export const SESSION_COOKIE = 'slipway_session';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Last-use stamps are written at most this often per token, so reads do not turn into writes. */
const TOUCH_EVERY_MS = 60_000;

const principals = new WeakMap<FastifyRequest, Principal>();

/** The principal `authenticateRequest` found for a request, if any. */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

/**
 * Resolves the request's `Authorization: Bearer` token or, without that header, the dashboard's
 * session cookie. The token is looked up by its sha256, so the comparison never touches the secret
 * itself and timing reveals nothing about it. Throws 401 for a malformed header or an unknown or
 * revoked bearer token; no credentials (or a stale cookie) is no principal.
 */
export async function authenticateRequest(
  store: Store,
  request: FastifyRequest,
  now: number,
): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (cookie === undefined) return undefined;
    // CSRF: the cookie is SameSite=Strict, so other sites' requests never carry it, and a
    // cookie-authenticated mutation must be JSON, which a cross-site HTML form cannot send
    // without a CORS preflight this server never grants.
    if (MUTATING.has(request.method) && !isJson(request.headers['content-type']))
      throw new ApiError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'requests authenticated by the session cookie must send a JSON body (content-type: application/json)',
      );
    return authenticateToken(store, request, cookie, now, 'cookie');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1])
    throw new ApiError(401, 'UNAUTHORIZED', 'the Authorization header must be `Bearer <token>`');
  const principal = await authenticateToken(store, request, match[1], now, 'bearer');
  if (!principal) throw new ApiError(401, 'UNAUTHORIZED', 'the token is unknown or revoked');
  return principal;
}

/** Looks `token` up and, when it is valid, records it as the request's principal. */
export async function authenticateToken(
  store: Store,
  request: FastifyRequest,
  token: string,
  now: number,
  via: 'bearer' | 'cookie',
): Promise<Principal | undefined> {
  const found = await store.findTokenByHash(hashToken(token));
  if (!found) return undefined;
  if (found.lastUsedAt === null || now - found.lastUsedAt >= TOUCH_EVERY_MS) await store.touchToken(found.id);
  const principal: Principal = { tokenId: found.id, name: found.name, role: found.role, via };
  principals.set(request, principal);
  return principal;
}

/** The value of cookie `name` in a Cookie header, if it is there and not empty. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (value === '') return undefined;
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType);
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
