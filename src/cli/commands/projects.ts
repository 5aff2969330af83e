/** `slipway project add|list|remove`: the projects a server builds on push, in the project store directly. */
import { registerProject } from '../../server/projects/register-project.js';
import { RepoAddressError } from '../../server/projects/repo-address.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, openProjectStore, projectDirOf } from '../project.js';

/** Registers a project: pushes to `--branch` of `--repo` start its pipeline on the server. */
export async function projectAddCommand(
  ctx: CommandContext,
  name: string,
  options: { repo?: string; branch?: string },
): Promise<number> {
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
    ctx.output.data(project);
    ctx.output.line(
      `project ${project.name}: pushes to ${project.branch} of ${project.repo} start its pipeline (webhook: POST /api/v1/hooks/github)`,
    );
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Lists registered projects. */
export async function projectListCommand(ctx: CommandContext): Promise<number> {
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const projects = await store.listProjects();
    for (const project of projects) ctx.output.data(project);
    if (projects.length === 0)
      ctx.output.line('no projects: `slipway project add NAME --repo PATH_OR_URL --branch main`');
    for (const p of projects) ctx.output.line(`${p.name.padEnd(20)} ${p.branch.padEnd(12)} ${p.repo}`);
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Unregisters a project; its runs and events stay. */
export async function projectRemoveCommand(ctx: CommandContext, name: string): Promise<number> {
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const removed = await store.removeProject(name);
    ctx.output.data(removed);
    ctx.output.line(`project ${removed.name} removed`);
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
