// Release routes: the published releases recorded under .slipway/releases.
import { join } from 'node:path';
import { z } from 'zod';
import { listRecords, readRecord } from '../../release/release-record.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { AUTH_ERRORS, ErrorSchema } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

/** The routes under /api/v1/releases. */
export function releaseRoutes(ctx: ServerContext): ApiRoute[] {
  const stateDir = join(ctx.projectDir, '.slipway');
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/releases',
      summary: 'Published releases, newest first',
      tag: 'releases',
      role: 'viewer',
      responses: {
        200: { description: 'releases', schema: z.object({ releases: z.array(z.unknown()) }) },
        ...AUTH_ERRORS,
      },
      async handler() {
        return { releases: listRecords(stateDir) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/releases/:tag',
      summary: "A release's notes, assets and service revisions",
      tag: 'releases',
      role: 'viewer',
      params: z.strictObject({ tag: z.string().min(1).max(200) }),
      responses: {
        200: { description: 'the release', schema: z.unknown() },
        ...AUTH_ERRORS,
        404: { description: 'no such release', schema: ErrorSchema },
      },
      async handler({ params }) {
        return readRecord(stateDir, params.tag);
      },
    }),
  ];
}
