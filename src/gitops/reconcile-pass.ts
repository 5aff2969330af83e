/**
 * One reconcile pass: fetch and read the desired state, observe what the platform runs and the
 * latest rollouts, plan (reconcile-plan.ts), then apply: a sync or a heal to a revision goes
 * through the environment's normal rollout (strategy and analysis), a heal of counts scales, a
 * prune drains and removes. Every sync and prune is an event with the commit it applied; the last
 * `gitops.synced` of an application is the revision it was applied at, which tells a new commit
 * from drift. A failed fetch or an invalid desired state throws before anything is changed.
 */

import { gatedEnvironments } from '../config/deploy-targets.js';
import type { ControllerDeps } from '../rollout/controller/controller-types.js';
import { deploy } from '../rollout/rollout-service.js';
import type { Store } from '../store/store.js';
import { type AppliedAction, applyInOrder } from './apply-order.js';

export type { AppliedAction } from './apply-order.js';

import { type DesiredCache, type DesiredState, readDesiredState } from './desired-state.js';
import type { GitMirror } from './git-mirror.js';
import { type AppState, type LiveApp, planReconcile } from './reconcile-plan.js';
import { endGate, startGate, syncGate } from './sync-gate.js';

/** What a pass is wired with. */
export interface PassDeps {
  /** The rollout controller's dependencies (store, platform, clock, reporter, owner). */
  readonly controller: ControllerDeps;
  readonly actor: string;
}

/** How a pass runs. */
export interface PassOptions {
  /** The `gitops.sync` settings of the project that watches the repository. */
  readonly sync: { readonly prune: boolean; readonly selfHeal: boolean; readonly parallel?: number };
  /** Plan only: nothing is changed (status, diff). */
  readonly dryRun?: boolean;
  /** Retry a revision whose sync ended rolled back, and sync drift without selfHeal. */
  readonly force?: boolean;
  readonly readyTimeoutMs?: number;
  /** Desired states of commits already read (a long-lived loop keeps one, with its mirror). */
  readonly cache?: DesiredCache;
}

/** A pass: what was desired, each application's state, and what was done. */
export interface PassResult {
  readonly desired: DesiredState;
  /** Each application's state at the end of the pass (observed again when anything was applied). */
  readonly apps: readonly AppState[];
  /** What the pass found before it acted. */
  readonly planned: readonly AppState[];
  readonly applied: readonly AppliedAction[];
}

const key = (service: string, env: string) => `${service}/${env}`;

/** Runs one pass over `mirror`'s desired state. */
export async function reconcileOnce(
  mirror: GitMirror,
  deps: PassDeps,
  options: PassOptions,
): Promise<PassResult> {
  const desired = await readDesiredState(mirror, options.cache);
  const live = await observe(desired, deps.controller);
  const { sync } = options;
  const plan = async (observed: readonly LiveApp[]) => {
    const settings = {
      prune: sync.prune,
      selfHeal: sync.selfHeal || options.force === true,
      force: options.force === true,
    };
    const first = planReconcile(desired.apps, observed, settings);
    // What the last syncs applied only tells a new commit from drift: read it when something differs.
    if (!first.some((app) => app.sync === 'OutOfSync' && !app.orphan)) return first;
    return planReconcile(desired.apps, observed, {
      ...settings,
      applied: await appliedRevisions(deps.controller.store),
    });
  };
  const planned = await plan(live);
  if (options.dryRun) return { desired, apps: planned, planned, applied: [] };
  const applied = await applyInOrder(planned, desired, options.sync.parallel ?? 4, (app) =>
    apply(app, desired, deps, { ...options, branch: mirror.repository.branch }),
  );
  const apps = applied.length === 0 ? planned : await plan(await observe(desired, deps.controller));
  return { desired, apps, planned, applied };
}

/**
 * What runs for every desired application and every service the platform runs (fleet scopes
 * aside), with the latest rollout where the plan reads it: every rollout in progress (one query),
 * and the latest one of an application not serving its desired revision (whether its sync ended
 * rolled back). An application serving its desired revision needs no history.
 */
async function observe(desired: DesiredState, deps: ControllerDeps): Promise<LiveApp[]> {
  const statuses = new Map(
    (await deps.platform.list()).filter((s) => !s.env.includes('@')).map((s) => [key(s.service, s.env), s]),
  );
  const active = new Map(
    (await deps.store.listRollouts({ active: true })).map((r) => [key(r.service, r.environment), r]),
  );
  const wanted = new Map(desired.apps.map((app) => [key(app.service, app.env), app.revision]));
  const keys = new Map<string, { service: string; env: string }>();
  for (const app of desired.apps) keys.set(key(app.service, app.env), app);
  for (const status of statuses.values())
    keys.set(key(status.service, status.env), { service: status.service, env: status.env });
  const live: LiveApp[] = [];
  for (const [at, { service, env }] of keys) {
    const status = statuses.get(at);
    const serving = status?.revisions.find((r) => r.weight === 100)?.id;
    const latest =
      active.get(at) ??
      (wanted.has(at) && serving !== wanted.get(at)
        ? (await deps.store.listRollouts({ service, environment: env, limit: 1 }))[0]
        : undefined);
    live.push({
      service,
      env,
      ...(status ? { status } : {}),
      ...(latest ? { rollout: { revision: latest.revision, phase: latest.phase } } : {}),
    });
  }
  return live;
}

/** The revision each application's last sync applied (`service/env` -> revision). */
async function appliedRevisions(store: Store): Promise<Record<string, string>> {
  const events = await store.listEvents({ types: ['gitops.synced'] });
  const applied: Record<string, string> = {};
  for (const event of events) {
    if (event.service && event.environment && typeof event.data.revision === 'string')
      applied[key(event.service, event.environment)] = event.data.revision;
  }
  return applied;
}

async function apply(
  app: AppState,
  desired: DesiredState,
  deps: PassDeps,
  options: PassOptions & { readonly branch: string },
): Promise<AppliedAction | undefined> {
  const { controller } = deps;
  const ref = { service: app.service, env: app.env };
  const commit = desired.commit.commit;
  const record = (type: 'gitops.synced' | 'gitops.failed' | 'gitops.pruned', data: Record<string, unknown>) =>
    controller.store.appendEvent({
      type,
      actor: deps.actor,
      service: app.service,
      environment: app.env,
      commitSha: commit,
      subject: `gitops/${app.service}/${app.env}`,
      data: { commit, subject: desired.commit.subject, author: desired.commit.author, ...data },
    });
  const { action } = app;
  if (action.kind === 'prune') {
    try {
      await controller.platform.remove(ref);
      await record('gitops.pruned', { revision: app.live ?? null });
      return { ...ref, action: 'prune', status: 'completed' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await record('gitops.failed', { action: 'prune', reason: message });
      return { ...ref, action: 'prune', status: 'failed', error: message };
    }
  }
  if (action.kind !== 'sync' && action.kind !== 'heal') return undefined;
  const revision = action.revision;
  try {
    let status: AppliedAction['status'];
    let reason: string | undefined;
    if (app.live === revision) {
      // The revision serves: what drifted is counts, or other revisions left running.
      const want = desired.apps.find((a) => a.service === app.service && a.env === app.env);
      const now = await controller.platform.status(ref);
      for (const other of now?.revisions ?? [])
        if (other.id !== revision && other.desired > 0) await controller.platform.scale(ref, other.id, 0);
      await controller.platform.scale(ref, revision, want?.instances ?? 1);
      status = 'completed';
    } else {
      const gate = gatedEnvironments(desired.config).has(app.env)
        ? await syncGate(
            controller.store,
            {
              ...ref,
              revision,
              commit,
              branch: options.branch,
              subject: desired.commit.subject,
              action: action.kind,
              force: options.force === true,
            },
            deps.actor,
            controller.clock.now(),
          )
        : undefined;
      if (gate?.status === 'pending')
        return { ...ref, action: action.kind, status: 'waiting', revision, run: gate.run };
      if (gate?.status === 'rejected') {
        const error = `not approved (${gate.by}); a new commit or \`slipway gitops sync --force\` asks again`;
        if (gate.fresh)
          await record('gitops.failed', { revision, action: action.kind, status: 'rejected', reason: error });
        return { ...ref, action: action.kind, status: 'rejected', revision, run: gate.run, error };
      }
      if (gate) await startGate(controller.store, gate.run, controller.clock.now());
      const outcome = await deploy(controller, {
        config: desired.config,
        projectDir: desired.projectDir,
        service: app.service,
        env: app.env,
        actor: deps.actor,
        commitSha: commit,
        ...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
      });
      status = outcome.status === 'busy' ? 'busy' : outcome.status;
      if ('reason' in outcome && typeof outcome.reason === 'string') reason = outcome.reason;
      // A busy environment leaves the gate approved: the next pass deploys it.
      if (gate && status !== 'busy')
        await endGate(
          controller.store,
          gate.run,
          status === 'completed' || status === 'unchanged' ? 'success' : 'failure',
          controller.clock.now(),
        );
    }
    if (status === 'completed' || status === 'unchanged')
      await record('gitops.synced', { revision, action: action.kind, status });
    else await record('gitops.failed', { revision, action: action.kind, status, reason: reason ?? status });
    return { ...ref, action: action.kind, status, revision, ...(reason ? { error: reason } : {}) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await record('gitops.failed', { revision, action: action.kind, reason: message });
    return { ...ref, action: action.kind, status: 'failed', revision, error: message };
  }
}
