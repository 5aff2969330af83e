// The scope webhook routes live in: a body parser that keeps the raw bytes (a signature covers
// them exactly) and a first audit note, so even a request refused before its payload is read is
// attributed to its sender.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type ApiRoute, type RouteDeps, registerRoutes } from './api-route.js';
import { type AuditNote, noteAudit } from './audit-note.js';

const rawBodies = new WeakMap<FastifyRequest, Buffer>();

/** The raw body of a webhook request (empty when it had none). */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return rawBodies.get(request) ?? Buffer.alloc(0);
}

/** A request header's value, when it is there and not empty. */
export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Registers webhook `routes` in their own scope, whose only body parser keeps the raw bytes up to
 * `bodyLimit`; `firstNote` gives each request its audit note before anything is checked.
 */
export function registerWebhookScope(
  app: FastifyInstance,
  routes: readonly ApiRoute[],
  deps: RouteDeps & { readonly bodyLimit: number },
  firstNote: (request: FastifyRequest) => AuditNote,
): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: deps.bodyLimit },
      (request, body, done) => {
        rawBodies.set(request, body as Buffer);
        done(null, undefined);
      },
    );
    scope.addHook('onRequest', async (request) => {
      noteAudit(request, firstNote(request));
    });
    registerRoutes(scope, routes, deps);
  });
}
