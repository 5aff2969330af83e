/**
 * `slipway gitops status|diff|sync`: reads the desired state from the repository, branch and path
 * of the project's `gitops:` section (mirrored under `.slipway/gitops`), compares it with what runs
 * on this machine, and with `sync` converges it through the normal rollouts. Environments with
 * hosts are listed as not reconciled yet.
 */
import { join } from 'node:path';
import { GitOpsError } from '../../gitops/errors.js';
import { GitMirror } from '../../gitops/git-mirror.js';
import { type Suspension, suspension } from '../../gitops/gitops-state.js';
import { type PassResult, reconcileOnce } from '../../gitops/reconcile-pass.js';
import type { AppState } from '../../gitops/reconcile-plan.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { stateDirOf } from '../platform.js';
import { actorOf, loadProject, openProjectStore } from '../project.js';
import { requireLocal } from '../remote/remote-context.js';
import { rolloutDeps } from '../rollout-deps.js';

/** Runs one pass (planned only unless `apply`), with the project's store and platform. */
async function pass(
  ctx: CommandContext,
  apply: boolean,
  force: boolean,
): Promise<PassResult & { readonly suspended?: Suspension }> {
  requireLocal(ctx, '`slipway gitops`');
  const { config, projectDir } = await loadProject(ctx);
  if (!config.gitops)
    throw new GitOpsError(
      'NOT_CONFIGURED',
      'slipway.yaml has no gitops: section (add `gitops: { repository: { url: ..., branch: main, path: / } }`)',
    );
  const mirror = new GitMirror(config.gitops.repository, {
    cacheDir: join(stateDirOf(projectDir), 'gitops'),
    baseDir: projectDir,
  });
  const store = await openProjectStore(ctx, projectDir);
  try {
    const controller = rolloutDeps(ctx, projectDir, store);
    const result = await reconcileOnce(
      mirror,
      { controller, actor: actorOf(ctx) },
      { sync: config.gitops.sync, dryRun: !apply, force },
    );
    const suspended = await suspension(store);
    return suspended ? { ...result, suspended } : result;
  } finally {
    await store.close();
  }
}

function actionText(app: AppState): string {
  const { action } = app;
  switch (action.kind) {
    case 'sync':
      return `sync to ${action.revision}`;
    case 'heal':
      return `heal to ${action.revision}`;
    case 'prune':
      return 'prune';
    case 'wait':
      return `wait: ${action.reason}`;
    default:
      return app.orphan ? 'orphan (prune is off)' : '';
  }
}

function printHeader(ctx: CommandContext, result: PassResult & { readonly suspended?: Suspension }): void {
  const { commit } = result.desired;
  ctx.output.line(`${commit.commit.slice(0, 12)} ${commit.subject} (${commit.author})`);
  if (result.suspended)
    ctx.output.line(
      ctx.output.paint(
        'yellow',
        `automatic passes suspended by ${result.suspended.actor}${result.suspended.reason ? `: ${result.suspended.reason}` : ''} (slipway gitops resume)`,
      ),
    );
  for (const env of result.desired.fleetEnvironments)
    ctx.output.line(ctx.output.paint('yellow', `environment ${env} has hosts: not reconciled by gitops yet`));
}

/** `slipway gitops status`. */
export async function gitopsStatus(ctx: CommandContext): Promise<number> {
  const result = await pass(ctx, false, false);
  if (ctx.output.json) {
    ctx.output.data({
      type: 'gitops.status',
      commit: result.desired.commit,
      suspended: result.suspended ?? null,
      apps: result.apps,
    });
    return ExitCode.Ok;
  }
  printHeader(ctx, result);
  for (const app of result.apps) {
    const sync = ctx.output.paint(app.sync === 'Synced' ? 'green' : 'yellow', app.sync.padEnd(10));
    const health = ctx.output.paint(app.health === 'Healthy' ? 'green' : 'red', app.health.padEnd(11));
    const where = `${app.service}@${app.env}`.padEnd(24);
    ctx.output.line(`${where} ${sync} ${health} ${(app.live ?? '-').padEnd(14)} ${actionText(app)}`);
  }
  return ExitCode.Ok;
}

/** `slipway gitops diff`: exit 1 when anything is out of sync. */
export async function gitopsDiff(ctx: CommandContext): Promise<number> {
  const result = await pass(ctx, false, false);
  const out = result.apps.filter((a) => a.sync === 'OutOfSync');
  if (ctx.output.json) ctx.output.data({ type: 'gitops.diff', commit: result.desired.commit, apps: out });
  else {
    printHeader(ctx, result);
    for (const app of out) {
      ctx.output.line(ctx.output.paint('bold', `${app.service}@${app.env}`));
      for (const line of app.diff) ctx.output.line(`  ${line}`);
    }
    if (out.length === 0) ctx.output.line('everything is in sync');
  }
  return out.length === 0 ? ExitCode.Ok : ExitCode.Failed;
}

/** `slipway gitops sync [--force]`. */
export async function gitopsSync(
  ctx: CommandContext,
  options: { readonly force?: boolean },
): Promise<number> {
  const result = await pass(ctx, true, options.force === true);
  if (ctx.output.json)
    ctx.output.data({
      type: 'gitops.synced',
      commit: result.desired.commit,
      apps: result.apps,
      applied: result.applied,
    });
  else {
    printHeader(ctx, result);
    for (const done of result.applied) {
      const ok = done.status === 'completed' || done.status === 'unchanged';
      const mark = ctx.output.paint(ok ? 'green' : 'red', done.status);
      ctx.output.line(
        `${done.service}@${done.env}: ${done.action}${done.revision ? ` ${done.revision}` : ''} ${mark}${done.error ? ` - ${done.error}` : ''}`,
      );
    }
    if (result.applied.length === 0) ctx.output.line('nothing to do');
  }
  const failed = result.applied.some((d) => d.status !== 'completed' && d.status !== 'unchanged');
  return failed ? ExitCode.Failed : ExitCode.Ok;
}
