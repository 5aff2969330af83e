// Route definitions: one zod schema per request part validates the request and feeds the OpenAPI document.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Clock, Store, TokenRole } from '../store/store.js';
import { authenticateRequest, type Principal, principalOf, requireRole } from './auth.js';
import { ApiError } from './errors.js';

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

/** What a handler receives: validated params, query and body, and who calls. */
export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** Set whenever the route needs a role; public routes may still get one. */
  readonly principal: Principal | undefined;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/** One documented response of a route. */
export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Media type when not JSON (e.g. `text/event-stream`). */
  readonly mediaType?: string;
}

/** A route as written in routes/*.ts. */
export interface RouteSpec<P, Q, B> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify path syntax: `/api/v1/runs/:id`. */
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  /** The least role allowed; null for public routes. */
  readonly role: TokenRole | null;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Returns the JSON body (after setting `reply.code` when not 200), or hijacks the reply. */
  handler(input: RouteInput<Infer<P>, Infer<Q>, Infer<B>>): Promise<unknown>;
}

/** A route with its types erased, as the server and the OpenAPI generator hold them. */
export type ApiRoute = RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

/** Defines a route, inferring the handler's input types from its schemas. */
export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): ApiRoute {
  return spec as unknown as ApiRoute;
}

/** The field a zod issue is about, as a dotted path (the unknown key itself for unknown keys). */
function fieldOf(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  return path.join('.');
}

/** Validates one part of a request; a 400 names the first bad field. */
function parsePart(part: 'path' | 'query' | 'body', schema: z.ZodType | undefined, value: unknown): unknown {
  if (schema === undefined) {
    const empty =
      value === undefined ||
      value === null ||
      (typeof value === 'object' && Object.keys(value as object).length === 0);
    if (empty) return undefined;
    const key = typeof value === 'object' ? Object.keys(value as object)[0] : undefined;
    throw new ApiError(
      400,
      'INVALID_REQUEST',
      key === undefined ? `this endpoint takes no ${part}` : `${part}: unknown field '${key}'`,
      key ?? part,
    );
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? fieldOf(issue) : '';
  const where = field === '' ? part : `${part}.${field}`;
  throw new ApiError(400, 'INVALID_REQUEST', `${where}: ${issue?.message ?? 'invalid'}`, field || part);
}

/** What registering routes needs. */
export interface RouteDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/** Registers `routes` on `app`: authentication and the role check run before the body is read. */
export function registerRoutes(app: FastifyInstance, routes: readonly ApiRoute[], deps: RouteDeps): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      onRequest: async (request) => {
        const principal = await authenticateRequest(deps.store, request, deps.clock.now());
        if (route.role !== null) requireRole(principal, route.role);
      },
      handler: async (request, reply) => {
        const params = parsePart('path', route.params, request.params);
        const query = parsePart('query', route.query, request.query);
        const body = parsePart(
          'body',
          route.body,
          route.body !== undefined && request.body === undefined ? {} : request.body,
        );
        return route.handler({
          params,
          query,
          body,
          principal: principalOf(request),
          request,
          reply,
        });
      },
    });
  }
}
