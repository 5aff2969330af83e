// API tokens: how they are made, hashed and ranked. Only the sha256 of a token is ever stored.
import { createHash, randomBytes } from 'node:crypto';
import type { TokenRole } from '../store/store.js';

/** Roles in increasing order of power: each one may do everything the ones before it may. */
export const ROLES = ['viewer', 'deployer', 'approver', 'admin'] as const satisfies readonly TokenRole[];

/** A token name: what `slipway token create --name` accepts, recorded as the actor of its requests. */
export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

/** True when `role` may do what `needed` may. */
export function roleAtLeast(role: TokenRole, needed: TokenRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** True for one of ROLES. */
export function isRole(value: unknown): value is TokenRole {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** A new secret token: `slw_` and 32 random bytes in base64url. */
export function generateToken(): string {
  return `slw_${randomBytes(32).toString('base64url')}`;
}

/** The hex sha256 of a token, the only form in which it is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
