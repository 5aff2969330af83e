/** `slipway snapshots list|take`. */
import { formatBytes, takeSnapshots } from '../../databases/take-snapshots.js';
import { secretReader } from '../../pipeline/secrets/secret-reader.js';
import type { StoredSnapshot } from '../../store/stored-snapshots.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, loadProject, openProjectStore, projectDirOf } from '../project.js';
import { requireLocal } from '../remote/remote-context.js';
import { snapshotDirOf } from '../snapshot-deploy.js';

export async function snapshotsList(
  ctx: CommandContext,
  options: { env?: string; database?: string; all?: boolean },
): Promise<number> {
  requireLocal(ctx, 'snapshots list');
  const projectDir = projectDirOf(ctx);
  const store = await openProjectStore(ctx, projectDir);
  try {
    const list = await store.listSnapshots({
      ...(options.env !== undefined ? { environment: options.env } : {}),
      ...(options.database !== undefined ? { database: options.database } : {}),
      includePruned: options.all === true,
    });
    if (ctx.output.json) {
      for (const s of list) ctx.output.data(shown(s));
      return ExitCode.Ok;
    }
    if (list.length === 0) {
      ctx.output.line('no snapshots');
      return ExitCode.Ok;
    }
    for (const s of list) {
      const deploy = s.service
        ? `before ${s.service} ${s.revision ?? '?'}${s.stableRevision ? ` (replacing ${s.stableRevision})` : ''}`
        : 'by hand';
      const state =
        s.prunedAt !== null ? ' [file deleted by retention]' : s.restoredAt !== null ? ' [restored]' : '';
      ctx.output.line(
        `${s.id}  ${s.environment}/${s.database}  ${new Date(s.createdAt).toISOString()}  ${s.reason}  ${deploy}  ${formatBytes(s.bytes)}  sha256:${s.sha256.slice(0, 12)}${state}`,
      );
      ctx.output.line(
        `    ${
          Object.entries(s.tables)
            .map(([table, rows]) => `${table}=${rows}`)
            .join(' ') || 'no tables'
        }`,
      );
    }
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

export async function snapshotsTake(
  ctx: CommandContext,
  options: { env: string; database?: string },
): Promise<number> {
  requireLocal(ctx, 'snapshots take');
  const { config, projectDir } = await loadProject(ctx);
  const all = config.environments[options.env]?.databases ?? [];
  const databases = options.database === undefined ? all : all.filter((d) => d.name === options.database);
  if (databases.length === 0)
    throw new UsageError(
      options.database === undefined
        ? `environment ${options.env} declares no databases`
        : `environment ${options.env} has no database '${options.database}' (databases: ${all.map((d) => d.name).join(', ') || 'none'})`,
    );
  const env = Object.fromEntries(
    Object.entries(ctx.io.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const store = await openProjectStore(ctx, projectDir);
  try {
    const taken = await takeSnapshots({
      store,
      projectDir,
      dir: snapshotDirOf(projectDir),
      environment: options.env,
      databases,
      secret: secretReader(env, projectDir),
      actor: actorOf(ctx),
      service: null,
      revision: null,
      stableRevision: null,
      reason: 'manual',
      onLine: (line) => {
        if (!ctx.output.json) ctx.output.line(line);
      },
    });
    if (ctx.output.json) for (const s of taken) ctx.output.data(shown(s));
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

function shown(s: StoredSnapshot) {
  return { ...s, createdAt: new Date(s.createdAt).toISOString() };
}
