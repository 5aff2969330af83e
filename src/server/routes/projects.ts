// Registered projects: list, add and remove the repositories whose pushes start runs.
import { z } from 'zod';
import { registerProject } from '../../projects/register-project.js';
import { RepoAddressError } from '../../projects/repo-address.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { ApiError } from '../errors.js';
import { AUTH_ERRORS, ErrorSchema } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

const ProjectSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  repo: z.string(),
  branch: z.string(),
  createdAt: z.number().int(),
  createdBy: z.string(),
});

/** The routes under /api/v1/projects. */
export function projectsRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/projects',
      summary: 'Registered projects: repository and the branch whose pushes start runs',
      tag: 'projects',
      role: 'viewer',
      responses: {
        200: { description: 'projects', schema: z.object({ projects: z.array(ProjectSchema) }) },
        ...AUTH_ERRORS,
      },
      async handler() {
        return { projects: await ctx.store.listProjects() };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/projects',
      summary: 'Register a project (what `slipway project add` does)',
      tag: 'projects',
      role: 'admin',
      body: z.strictObject({
        name: z.string().min(1).max(100),
        repo: z.string().min(1).max(2000).describe('repository URL, scp-like address or local path'),
        branch: z.string().min(1).max(200).default('main'),
      }),
      responses: {
        201: { description: 'registered', schema: ProjectSchema },
        ...AUTH_ERRORS,
        409: { description: 'the name is taken', schema: ErrorSchema },
      },
      async handler({ body, principal, reply }) {
        try {
          const project = await registerProject(
            ctx.store,
            { name: body.name, repo: body.repo, branch: body.branch, actor: principal?.name ?? 'api' },
            ctx.projectDir,
          );
          reply.code(201);
          return project;
        } catch (error) {
          if (!(error instanceof RepoAddressError)) throw error;
          const taken = /already exists/.test(error.message);
          throw new ApiError(
            taken ? 409 : 400,
            taken ? 'CONFLICT' : 'INVALID_REQUEST',
            error.message.replace(/^--(repo|branch) /, 'body.$1 '),
            undefined,
            { cause: error },
          );
        }
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/projects/:name',
      summary: 'Unregister a project (its runs and events stay)',
      tag: 'projects',
      role: 'admin',
      params: z.strictObject({ name: z.string().min(1).max(100) }),
      responses: {
        200: { description: 'removed', schema: ProjectSchema },
        ...AUTH_ERRORS,
        404: { description: 'no such project', schema: ErrorSchema },
      },
      async handler({ params }) {
        return ctx.store.removeProject(params.name);
      },
    }),
  ];
}
