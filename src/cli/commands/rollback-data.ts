/**
 * `slipway rollback SERVICE --env E --data [--yes]`: finds the snapshots taken before the deploy
 * being undone, prints what restoring them loses, and only with --yes rolls the code back, then
 * restores each database.
 */
import { describeLoss } from '../../databases/data-loss.js';
import { type DataRollbackEntry, planDataRollback, restoreData } from '../../databases/data-rollback.js';
import { formatBytes } from '../../databases/take-snapshots.js';
import { activeRollout, rollback, stableOf } from '../../rollout/rollout-service.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { localPlatform } from '../platform.js';
import { actorOf, loadProject, openProjectStore } from '../project.js';
import { remoteClient } from '../remote/remote-context.js';
import { rolloutDeps } from '../rollout-deps.js';
import { requireEnv } from './health.js';

/** Options of a data rollback. */
export interface RollbackDataOptions {
  readonly env?: string;
  readonly to?: string;
  readonly region?: string;
  readonly yes?: boolean;
}

export async function rollbackDataCommand(
  ctx: CommandContext,
  service: string,
  options: RollbackDataOptions,
): Promise<number> {
  const env = requireEnv(options.env);
  if (remoteClient(ctx))
    throw new UsageError('--data restores databases from this machine: run it without --server');
  if (options.to !== undefined || options.region !== undefined)
    throw new UsageError('--data undoes the latest deploy: it takes neither --to nor --region');
  const { config, projectDir } = await loadProject(ctx);
  const databases = config.environments[env]?.databases ?? [];
  if (databases.length === 0)
    throw new UsageError(`environment ${env} declares no databases: --data has nothing to restore`);
  const store = await openProjectStore(ctx, projectDir);
  try {
    const deps = rolloutDeps(ctx, projectDir, store);
    const ref = { service, env };
    const undone =
      (await activeRollout(store, ref))?.revision ??
      stableOf(await localPlatform(ctx, projectDir).status(ref))?.id;
    if (!undone) throw new UsageError(`${service} does not run in ${env}: there is no deploy to undo`);
    const entries = await planDataRollback({
      store,
      projectDir,
      environment: env,
      databases,
      service,
      revision: undone,
      secret: deps.secret ?? ((name) => deps.env[name]),
    });
    printLoss(ctx, service, undone, entries);
    if (!options.yes) {
      if (!ctx.output.json)
        ctx.output.line(
          'nothing was changed: run again with --yes to roll back the code and restore this data',
        );
      return ExitCode.Usage;
    }
    const code = await rollback(deps, { ref, actor: actorOf(ctx), workdir: projectDir });
    if (code.status !== 'completed') {
      ctx.output.error(
        `the code rollback did not complete (${code.status}${'reason' in code && code.reason ? `: ${code.reason}` : ''}); no database was restored`,
      );
      return ExitCode.Failed;
    }
    if (!ctx.output.json) ctx.output.line(`${service} in ${env} is back on ${code.revision}; restoring data`);
    await restoreData(entries, store, actorOf(ctx), (line) => {
      if (!ctx.output.json) ctx.output.line(line);
    });
    if (ctx.output.json)
      ctx.output.data({
        type: 'rollback',
        status: 'completed',
        revision: code.revision,
        restored: entries.map((e) => ({ database: e.database.name, snapshot: e.snapshot.id })),
      });
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

function printLoss(
  ctx: CommandContext,
  service: string,
  undone: string,
  entries: readonly DataRollbackEntry[],
) {
  if (ctx.output.json) {
    ctx.output.data({
      type: 'data-rollback-plan',
      service,
      undoing: undone,
      databases: entries.map((e) => ({
        database: e.database.name,
        snapshot: e.snapshot.id,
        takenAt: new Date(e.snapshot.createdAt).toISOString(),
        losses: e.losses,
      })),
    });
    return;
  }
  ctx.output.line(
    `undoing the deploy of ${service} ${undone}: the databases go back to their snapshots from before it`,
  );
  for (const e of entries) {
    ctx.output.line(
      `${e.database.name} (${e.snapshot.engine}): snapshot ${e.snapshot.id} taken ${new Date(e.snapshot.createdAt).toISOString()} (${formatBytes(e.snapshot.bytes)})`,
    );
    ctx.output.line('  lost by the restore:');
    for (const line of describeLoss(e.losses)) ctx.output.line(`    ${line}`);
  }
}
