// The project route: what the server serves (one project per server today).
import { z } from 'zod';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { AUTH_ERRORS } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

/** GET /api/v1/project. */
export function projectRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/project',
      summary: 'The project: name, jobs, stages, services and environments',
      tag: 'projects',
      role: 'viewer',
      responses: {
        200: {
          description: 'the project',
          schema: z.object({
            name: z.string(),
            jobs: z.array(z.string()),
            stages: z.array(z.object({ name: z.string(), kind: z.string() })),
            services: z.array(z.string()),
            environments: z.array(z.string()),
          }),
        },
        ...AUTH_ERRORS,
      },
      async handler() {
        const config = await ctx.loadConfig();
        return {
          name: config.project.name,
          jobs: Object.keys(config.jobs),
          stages: config.stages.map((s) => ({ name: s.name, kind: s.kind })),
          services: Object.keys(config.services),
          environments: Object.keys(config.environments),
        };
      },
    }),
  ];
}
