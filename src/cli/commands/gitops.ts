/**
 * `slipway gitops status|diff|sync`: reads the desired state from the repository, branch and path
 * of the project's `gitops:` section (mirrored under `.slipway/gitops`), compares it with what runs
 * on this machine and on the hosts of environments with hosts (per region), and with `sync`
 * converges it through the normal rollouts (fleet deploys for those). With `--server`, status and
 * diff show the server's latest pass and `sync` asks the server for a pass.
 */
import { join } from 'node:path';
import { GitOpsError } from '../../gitops/errors.js';
import { type DesiredCommit, GitMirror } from '../../gitops/git-mirror.js';
import { type Suspension, suspension } from '../../gitops/gitops-state.js';
import { type AppliedAction, reconcileOnce } from '../../gitops/reconcile-pass.js';
import type { AppState } from '../../gitops/reconcile-plan.js';
import { repositoryCredentials } from '../../gitops/repository-credentials.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { stateDirOf } from '../platform.js';
import { actorOf, loadProject, openProjectStore } from '../project.js';
import type { ApiClient } from '../remote/api-client.js';
import { remoteClient } from '../remote/remote-context.js';
import { rolloutDeps } from '../rollout-deps.js';
import { sshClientOf } from '../ssh-client.js';

/** What the commands print: a pass, here or on the server. */
interface PassView {
  readonly commit?: DesiredCommit;
  readonly apps: readonly AppState[];
  readonly applied: readonly AppliedAction[];
  /** Regions whose hosts could not be reached (their applications were not planned). */
  readonly unreachable: readonly { readonly scope: string; readonly error: string }[];
  /** Syncs waiting for an approval: `service/env` -> the gate's run. */
  readonly gates: ReadonlyMap<string, number>;
  readonly suspended?: Suspension;
  /** The server's latest pass: when and why it ran, or why it failed. */
  readonly server?: { readonly at: number; readonly reason: string; readonly error?: string };
}

/** Runs one pass (planned only unless `apply`), with the project's store and platform. */
async function localPass(ctx: CommandContext, apply: boolean, force: boolean): Promise<PassView> {
  const { config, projectDir } = await loadProject(ctx);
  if (!config.gitops)
    throw new GitOpsError(
      'NOT_CONFIGURED',
      'slipway.yaml has no gitops: section (add `gitops: { repository: { url: ..., branch: main, path: / } }`)',
    );
  const mirror = new GitMirror(config.gitops.repository, {
    cacheDir: join(stateDirOf(projectDir), 'gitops'),
    baseDir: projectDir,
    ...repositoryCredentials(config.gitops.repository, ctx.io.env, projectDir),
  });
  const store = await openProjectStore(ctx, projectDir);
  try {
    const controller = rolloutDeps(ctx, projectDir, store);
    const result = await reconcileOnce(
      mirror,
      {
        controller,
        actor: actorOf(ctx),
        fleet: { localStateDir: stateDirOf(projectDir), client: sshClientOf(ctx) },
      },
      { sync: config.gitops.sync, dryRun: !apply, force },
    );
    const suspended = await suspension(store);
    const gates = new Map<string, number>();
    for (const run of await store.listRuns({ status: 'waiting', limit: 100 })) {
      const gate = (run.plan as { gitops?: { service: string; env: string } } | null)?.gitops;
      if (run.trigger === 'gitops' && gate && !gates.has(`${gate.service}/${gate.env}`))
        gates.set(`${gate.service}/${gate.env}`, run.id);
    }
    for (const done of result.applied)
      if (done.status === 'waiting' && done.run !== undefined)
        gates.set(`${done.service}/${done.env}`, done.run);
    return {
      gates,
      commit: result.desired.commit,
      apps: result.apps,
      applied: result.applied,
      unreachable: result.unreachable,
      ...(suspended ? { suspended } : {}),
    };
  } finally {
    await store.close();
  }
}

/** The server's latest pass (GET /api/v1/gitops). */
async function serverPass(client: ApiClient): Promise<PassView> {
  const state = await client.get<{
    configured: boolean;
    suspended: Suspension | null;
    lastPass: {
      at: number;
      reason: string;
      error?: string;
      commit?: DesiredCommit;
      apps?: AppState[];
      applied?: AppliedAction[];
      unreachable?: { scope: string; error: string }[];
    } | null;
  }>('/api/v1/gitops');
  if (!state.configured)
    throw new GitOpsError('NOT_CONFIGURED', "the server's project has no gitops: section in slipway.yaml");
  const last = state.lastPass;
  return {
    ...(last?.commit ? { commit: last.commit } : {}),
    apps: last?.apps ?? [],
    applied: last?.applied ?? [],
    unreachable: last?.unreachable ?? [],
    gates: new Map(
      (last?.applied ?? []).flatMap((done) =>
        done.status === 'waiting' && done.run !== undefined
          ? [[`${done.service}/${done.env}`, done.run]]
          : [],
      ),
    ),
    ...(state.suspended ? { suspended: state.suspended } : {}),
    ...(last
      ? {
          server: {
            at: last.at,
            reason: last.reason,
            ...(last.error !== undefined ? { error: last.error } : {}),
          },
        }
      : {}),
  };
}

async function view(ctx: CommandContext): Promise<PassView> {
  const client = remoteClient(ctx);
  return client ? serverPass(client) : localPass(ctx, false, false);
}

function actionText(app: AppState, gates: PassView['gates']): string {
  const { action } = app;
  const gate = gates.get(`${app.service}/${app.env}`);
  const waiting = gate === undefined ? '' : ` (waits for approval: slipway approve ${gate} ${app.env})`;
  switch (action.kind) {
    case 'sync':
      return `sync to ${action.revision}${waiting}`;
    case 'heal':
      return `heal to ${action.revision}${waiting}`;
    case 'prune':
      return 'prune';
    case 'wait':
      return `wait: ${action.reason}`;
    default:
      return app.orphan ? 'orphan (prune is off)' : '';
  }
}

function printHeader(ctx: CommandContext, pass: PassView): void {
  if (pass.server)
    ctx.output.line(
      `the server's latest pass: ${new Date(pass.server.at).toISOString()} (${pass.server.reason})${pass.server.error ? ctx.output.paint('red', ` failed: ${pass.server.error}`) : ''}`,
    );
  else if (!pass.commit && ctx.remote) ctx.output.line("the server's first pass has not run yet");
  if (pass.commit)
    ctx.output.line(`${pass.commit.commit.slice(0, 12)} ${pass.commit.subject} (${pass.commit.author})`);
  if (pass.suspended)
    ctx.output.line(
      ctx.output.paint(
        'yellow',
        `automatic passes suspended by ${pass.suspended.actor}${pass.suspended.reason ? `: ${pass.suspended.reason}` : ''} (slipway gitops resume)`,
      ),
    );
  for (const { scope, error } of pass.unreachable)
    ctx.output.line(ctx.output.paint('red', `${scope}: not reconciled this pass: ${error}`));
}

/** `slipway gitops status`. */
export async function gitopsStatus(ctx: CommandContext): Promise<number> {
  const pass = await view(ctx);
  if (ctx.output.json) {
    ctx.output.data({
      type: 'gitops.status',
      commit: pass.commit ?? null,
      suspended: pass.suspended ?? null,
      apps: pass.apps,
      waiting: [...pass.gates].map(([at, run]) => ({ app: at, run })),
      unreachable: pass.unreachable,
    });
    return ExitCode.Ok;
  }
  printHeader(ctx, pass);
  for (const app of pass.apps) {
    const sync = ctx.output.paint(app.sync === 'Synced' ? 'green' : 'yellow', app.sync.padEnd(10));
    const health = ctx.output.paint(app.health === 'Healthy' ? 'green' : 'red', app.health.padEnd(11));
    const where = `${app.service}@${app.env}`.padEnd(24);
    ctx.output.line(
      `${where} ${sync} ${health} ${(app.live ?? '-').padEnd(14)} ${actionText(app, pass.gates)}`,
    );
  }
  return ExitCode.Ok;
}

/** `slipway gitops diff`: exit 1 when anything is out of sync. */
export async function gitopsDiff(ctx: CommandContext): Promise<number> {
  const pass = await view(ctx);
  const out = pass.apps.filter((a) => a.sync === 'OutOfSync');
  if (ctx.output.json) ctx.output.data({ type: 'gitops.diff', commit: pass.commit ?? null, apps: out });
  else {
    printHeader(ctx, pass);
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
  const client = remoteClient(ctx);
  if (client) {
    const answer = await client.post<{ status: string }>(
      '/api/v1/gitops/sync',
      options.force ? { force: true } : {},
    );
    if (ctx.output.json) ctx.output.data({ type: 'gitops.requested', ...answer.body });
    else ctx.output.line('the server started a reconcile pass (slipway gitops status --server ... shows it)');
    return ExitCode.Ok;
  }
  const pass = await localPass(ctx, true, options.force === true);
  if (ctx.output.json)
    ctx.output.data({
      type: 'gitops.synced',
      commit: pass.commit ?? null,
      apps: pass.apps,
      applied: pass.applied,
    });
  else {
    printHeader(ctx, pass);
    for (const done of pass.applied) {
      const ok = done.status === 'completed' || done.status === 'unchanged';
      const mark = ctx.output.paint(ok ? 'green' : done.status === 'waiting' ? 'yellow' : 'red', done.status);
      const next = done.status === 'waiting' ? ` for approval: slipway approve ${done.run} ${done.env}` : '';
      ctx.output.line(
        `${done.service}@${done.env}: ${done.action}${done.revision ? ` ${done.revision}` : ''} ${mark}${next}${done.error ? ` - ${done.error}` : ''}`,
      );
    }
    if (pass.applied.length === 0) ctx.output.line('nothing to do');
  }
  // A sync waiting for its approval is not a failure: `slipway approve` and another pass go on.
  const failed = pass.applied.some((d) => !['completed', 'unchanged', 'waiting'].includes(d.status));
  return failed ? ExitCode.Failed : ExitCode.Ok;
}
