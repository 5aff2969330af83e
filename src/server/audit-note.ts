// What a route without a token adds to its request's audit entry (a webhook: sender, event, outcome).
import type { FastifyRequest } from 'fastify';

/** The actor and extra, secret-free fields of a request's `audit.recorded` event. */
export interface AuditNote {
  readonly actor: string;
  readonly details: Readonly<Record<string, unknown>>;
}

const notes = new WeakMap<FastifyRequest, AuditNote>();

/** Sets (or replaces) the audit note of `request`. */
export function noteAudit(request: FastifyRequest, note: AuditNote): void {
  notes.set(request, note);
}

/** The audit note of `request`, if a route set one. */
export function auditNoteOf(request: FastifyRequest): AuditNote | undefined {
  return notes.get(request);
}
