import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { withDefaultVariant, withState, withWeights } from '../../flags/flag-changes.js';
import type { FlagDefinition, FlagDocument } from '../../flags/flag-document.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { noteAudit } from '../audit-note.js';
import type { Principal } from '../auth.js';
import type { ServerFlags } from '../flags/server-flags.js';
import { AUTH_ERRORS, ErrorSchema } from '../schemas.js';
import { FlagChangeSchema, FlagDefinitionSchema, FlagKeyParams, FlagVersionSchema } from './flag-schemas.js';

const UNKNOWN = { description: 'no such flag (`FLAG_UNKNOWN`)', schema: ErrorSchema };
const CHANGE_ERRORS = {
  ...AUTH_ERRORS,
  400: {
    description:
      'an unknown variant (`FLAG_VARIANT_UNKNOWN`), weights that do not parse (`FLAG_WEIGHTS_INVALID`) or a bad body',
    schema: ErrorSchema,
  },
  404: UNKNOWN,
} as const;

/** The latest version of `key` when the flag exists, else FLAG_UNKNOWN naming the flags there are. */

/** The actor of a request's change: its token's name. */
const actorOf = (principal: Principal | undefined) => principal?.name ?? 'api';

/** Weights as the CLI writes them (`on=5,off=95`), from text or from `{on: 5, off: 95}`. */
function weightsText(weights: string | Readonly<Record<string, number>>): string {
  return typeof weights === 'string'
    ? weights
    : Object.entries(weights)
        .map(([variant, weight]) => `${variant}=${weight}`)
        .join(',');
}

/** The routes under /api/v1/flags. */
export function flagRoutes(flags: ServerFlags): ApiRoute[] {
  /**
   * Records `make`'s definition of `key` as a new version when it differs from the current one,
   * checked against flagd's schema first (a refused change records nothing), and notes it in the audit entry.
   */
  const change = async (
    request: FastifyRequest,
    principal: Principal | undefined,
    key: string,
    kind: string,
    make: (doc: FlagDocument) => FlagDefinition,
  ) => {
    const actor = actorOf(principal);
    const { value, served } = await flags.change((versions, doc) =>
      versions.change(doc, key, make(doc), { actor, change: kind, source: 'api' }),
    );
    noteAudit(request, {
      actor,
      details: { flag: key, change: kind, version: value.flag.version, changed: value.changed },
    });
    return { ...value, served };
  };

  const stateRoute = (state: 'ENABLED' | 'DISABLED') => {
    const kind = state === 'ENABLED' ? 'enable' : 'disable';
    return defineRoute({
      method: 'POST',
      url: `/api/v1/flags/:key/${kind}`,
      summary:
        state === 'ENABLED' ? 'Enable a flag' : "Disable a flag: applications get their code's default",
      tag: 'flags',
      role: 'deployer',
      params: FlagKeyParams,
      responses: { 200: { description: 'the flag now', schema: FlagChangeSchema }, ...CHANGE_ERRORS },
      handler: ({ params, principal, request }) =>
        change(request, principal, params.key, kind, (doc) => withState(doc, params.key, state)),
    });
  };

  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/flags',
      summary: 'Every flag at its latest version, and the version of the flag set served',
      tag: 'flags',
      role: 'viewer',
      responses: {
        200: {
          description: 'the flags by key',
          schema: z.object({ version: z.number().int(), flags: z.array(FlagVersionSchema) }),
        },
        ...AUTH_ERRORS,
      },
      handler: () =>
        flags.read(async (versions) => {
          const all = [...(await versions.latest()).values()];
          return {
            version: Math.max(0, ...all.map((v) => v.eventId)),
            flags: all.filter((v) => v.definition !== null).sort((a, b) => a.flag.localeCompare(b.flag)),
          };
        }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/flags/:key',
      summary: "A flag's whole current definition and version",
      tag: 'flags',
      role: 'viewer',
      params: FlagKeyParams,
      responses: {
        200: { description: 'the flag', schema: z.object({ flag: FlagVersionSchema }) },
        ...AUTH_ERRORS,
        404: UNKNOWN,
      },
      handler: ({ params }) => flags.read(async (versions) => ({ flag: await versions.current(params.key) })),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/flags/:key/history',
      summary: 'Every version of a flag, oldest first: who changed what, when, from where',
      tag: 'flags',
      role: 'viewer',
      params: FlagKeyParams,
      responses: {
        200: { description: 'the versions', schema: z.object({ versions: z.array(FlagVersionSchema) }) },
        ...AUTH_ERRORS,
        404: UNKNOWN,
      },
      handler: ({ params }) =>
        flags.read(async (versions) => {
          const found = await versions.history(params.key);
          if (found.length === 0) await versions.current(params.key);
          return { versions: found };
        }),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/flags/:key',
      summary: 'Replace (or create) a flag with a whole flagd definition',
      tag: 'flags',
      role: 'deployer',
      params: FlagKeyParams,
      body: FlagDefinitionSchema,
      responses: {
        200: { description: 'the flag now', schema: FlagChangeSchema },
        ...CHANGE_ERRORS,
        422: { description: 'not a valid flagd definition (`FLAG_DEFINITION_INVALID`)', schema: ErrorSchema },
      },
      handler: ({ params, body, principal, request }) =>
        change(request, principal, params.key, 'define', () => body as FlagDefinition),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/flags/:key/set',
      summary: 'Serve a variant by default (`variant`), or split users by weights (`weights`)',
      tag: 'flags',
      role: 'deployer',
      params: FlagKeyParams,
      body: z
        .strictObject({
          variant: z.string().min(1).optional().describe('the variant to serve by default'),
          weights: z
            .union([z.string().min(1), z.record(z.string(), z.number().int().min(0))])
            .optional()
            .describe('`on=5,off=95`, or {"on": 5, "off": 95}: fractional weights in that order'),
        })
        .refine((b) => (b.variant === undefined) !== (b.weights === undefined), {
          message: 'give either variant or weights',
        }),
      responses: { 200: { description: 'the flag now', schema: FlagChangeSchema }, ...CHANGE_ERRORS },
      handler: ({ params, body, principal, request }) =>
        body.variant !== undefined
          ? change(request, principal, params.key, 'set', (doc) =>
              withDefaultVariant(doc, params.key, body.variant as string),
            )
          : change(request, principal, params.key, 'weights', (doc) =>
              withWeights(doc, params.key, weightsText(body.weights ?? '')),
            ),
    }),
    stateRoute('ENABLED'),
    stateRoute('DISABLED'),
    defineRoute({
      method: 'POST',
      url: '/api/v1/flags/:key/rollback',
      summary:
        'Serve an earlier definition again (`to`, else the version before the current one), as a new version',
      tag: 'flags',
      role: 'deployer',
      params: FlagKeyParams,
      body: z.strictObject({ to: z.number().int().min(1).optional().describe('the version to go back to') }),
      responses: {
        200: { description: 'the flag now', schema: FlagChangeSchema },
        ...CHANGE_ERRORS,
        404: {
          description: 'no such flag or version (`FLAG_UNKNOWN`, `FLAG_VERSION_UNKNOWN`)',
          schema: ErrorSchema,
        },
        409: {
          description: 'the flag is at that version already (`FLAG_CHANGE_CONFLICT`)',
          schema: ErrorSchema,
        },
        422: {
          description: 'that definition no longer fits the flag set (`FLAG_DEFINITION_INVALID`)',
          schema: ErrorSchema,
        },
      },
      async handler({ params, body, principal, request }) {
        const actor = actorOf(principal);
        const { value, served } = await flags.change((versions, doc) =>
          versions.rollback(params.key, body.to, { actor, source: 'api' }, doc),
        );
        noteAudit(request, {
          actor,
          details: { flag: params.key, change: 'rollback', version: value.version, to: body.to ?? null },
        });
        return { flag: value, changed: true, served };
      },
    }),
  ];
}
