/** `slipway events export` and `slipway events import FILE`: the delivery history as CDEvents v0.4.1, one per line. */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { exportCdevents } from '../../metrics/cdevents/export-history.js';
import { importCdevents } from '../../metrics/cdevents/import-history.js';
import { metricsWindow } from '../../metrics/metrics-window.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { loadProject, openProjectStore, projectDirOf } from '../project.js';
import { requireLocal } from '../remote/remote-context.js';

/** Options of `slipway events export`. */
export interface EventsExportOptions {
  readonly since?: string;
  readonly until?: string;
  readonly service?: string;
  readonly env?: string;
}

/** The project's name: its config's, else its folder's (also when the config cannot be read). */
async function projectName(ctx: CommandContext, projectDir: string): Promise<string> {
  try {
    return (await loadProject(ctx)).config.project.name;
  } catch {
    return basename(projectDir);
  }
}

/** The CDEvents `source` naming this Slipway: `/slipway/<project>`. */
const sourceOf = (project: string) => `/slipway/${encodeURIComponent(project)}`;

/** Writes the window's delivery events to stdout as CDEvents, one JSON object per line. */
export async function eventsExport(ctx: CommandContext, options: EventsExportOptions): Promise<number> {
  requireLocal(ctx, '`slipway events export`');
  const window = metricsWindow(options, Date.now());
  const projectDir = projectDirOf(ctx);
  const project = await projectName(ctx, projectDir);
  const store = await openProjectStore(ctx, projectDir);
  try {
    const events = await exportCdevents(
      store,
      {
        ...window,
        ...(options.service !== undefined ? { service: options.service } : {}),
        ...(options.env !== undefined ? { environment: options.env } : {}),
      },
      { source: sourceOf(project), repository: project },
    );
    // One write per thousand lines: an export of a long history is not one huge string.
    for (let i = 0; i < events.length; i += 1000)
      ctx.output.write(
        events
          .slice(i, i + 1000)
          .map((e) => `${JSON.stringify(e)}\n`)
          .join(''),
      );
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** The text of `file`, or of stdin for `-`. */
async function readInput(ctx: CommandContext, file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return readFileSync(resolve(ctx.io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Imports a CDEvents file (or stdin): all of it, or nothing when a line is bad. */
export async function eventsImport(ctx: CommandContext, file: string): Promise<number> {
  requireLocal(ctx, '`slipway events import`');
  const text = await readInput(ctx, file);
  const projectDir = projectDirOf(ctx);
  const ownSource = sourceOf(await projectName(ctx, projectDir));
  const store = await openProjectStore(ctx, projectDir);
  try {
    const result = await importCdevents(store, text, { file: file === '-' ? 'stdin' : file, ownSource });
    if (ctx.output.json) ctx.output.data(result);
    else
      ctx.output.line(
        `imported ${result.imported} event${result.imported === 1 ? '' : 's'} (${result.skipped} skipped: already imported)`,
      );
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
