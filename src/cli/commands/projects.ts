/**
 * `slipway project add|list|remove`: the projects a server builds on push, in the project store
 * directly, or through a server's /api/v1/projects (admin token) with --server.
 */
import { registerProject } from '../../projects/register-project.js';
import { normalizeRepoAddress, RepoAddressError } from '../../projects/repo-address.js';
import type { Project } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, openProjectStore, projectDirOf } from '../project.js';
import { remoteClient } from '../remote/remote-context.js';

function printAdded(ctx: CommandContext, project: Project): void {
  ctx.output.data(project);
  ctx.output.line(
    `project ${project.name}: pushes to ${project.branch} of ${project.repo} start its pipeline (webhook: POST /api/v1/hooks/github)`,
  );
}

function printProjects(ctx: CommandContext, projects: readonly Project[]): void {
  for (const project of projects) ctx.output.data(project);
  if (projects.length === 0)
    ctx.output.line('no projects: `slipway project add NAME --repo PATH_OR_URL --branch main`');
  for (const p of projects) ctx.output.line(`${p.name.padEnd(20)} ${p.branch.padEnd(12)} ${p.repo}`);
}

function printRemoved(ctx: CommandContext, project: Project): void {
  ctx.output.data(project);
  ctx.output.line(`project ${project.name} removed`);
}

/** Registers a project: pushes to `--branch` of `--repo` start its pipeline on the server. */
export async function projectAddCommand(
  ctx: CommandContext,
  name: string,
  options: { repo?: string; branch?: string },
): Promise<number> {
  const client = remoteClient(ctx);
  if (client) {
    // A relative path means one on this machine, so it is made absolute here; the server checks it.
    let repo: string;
    try {
      repo = normalizeRepoAddress(options.repo ?? '', ctx.io.cwd);
    } catch (error) {
      throw new UsageError((error as Error).message, { cause: error });
    }
    const { body } = await client.post<Project>('/api/v1/projects', {
      name,
      repo,
      branch: options.branch ?? 'main',
    });
    printAdded(ctx, body);
    return ExitCode.Ok;
  }
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const project = await registerProject(
      store,
      { name, repo: options.repo ?? '', branch: options.branch ?? 'main', actor: actorOf(ctx) },
      ctx.io.cwd,
    ).catch((error: unknown) => {
      if (error instanceof RepoAddressError) throw new UsageError(error.message, { cause: error });
      throw error;
    });
    printAdded(ctx, project);
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Lists registered projects. */
export async function projectListCommand(ctx: CommandContext): Promise<number> {
  const client = remoteClient(ctx);
  if (client) {
    printProjects(ctx, (await client.get<{ projects: Project[] }>('/api/v1/projects')).projects);
    return ExitCode.Ok;
  }
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    printProjects(ctx, await store.listProjects());
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Unregisters a project; its runs and events stay. */
export async function projectRemoveCommand(ctx: CommandContext, name: string): Promise<number> {
  const client = remoteClient(ctx);
  if (client) {
    const { body } = await client.request<Project>('DELETE', `/api/v1/projects/${encodeURIComponent(name)}`);
    printRemoved(ctx, body);
    return ExitCode.Ok;
  }
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    printRemoved(ctx, await store.removeProject(name));
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
