/**
 * One reconcile pass: fetch and read the desired state, observe what the platform runs and the
 * latest rollouts, plan (reconcile-plan.ts), then apply: a sync or a heal to a revision goes
 * through the environment's normal rollout (strategy and analysis), a heal of counts scales, a
 * prune drains and removes. Every sync and prune is an event with the commit it applied; the last
 * `gitops.synced` of an application is the revision it was applied at, which tells a new commit
 * from drift. A failed fetch or an invalid desired state throws before anything is changed.
 */

import type { ServiceStatus } from '../platform/platform.js';
import type { ControllerDeps } from '../rollout/controller/controller-types.js';
import type { FleetHostsOptions } from '../rollout/fleet/fleet-hosts.js';
import type { Store } from '../store/store.js';
import { type AppliedAction, applyInOrder } from './apply-order.js';

export type { AppliedAction } from './apply-order.js';

import { type DesiredCache, type DesiredState, readDesiredState } from './desired-state.js';
import type { GitMirror } from './git-mirror.js';
import { type AppState, type DesiredApp, type LiveApp, planReconcile } from './reconcile-plan.js';
import { PassFleets, type SyncTarget, type TargetContext, targetOf } from './sync-targets.js';

/** What a pass is wired with. */
export interface PassDeps {
  /** The rollout controller's dependencies (store, platform, clock, reporter, owner). */
  readonly controller: ControllerDeps;
  readonly actor: string;
  /** How the hosts of environments with hosts are reached; without it those environments are left out. */
  readonly fleet?: FleetHostsOptions;
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
  /** Regions whose hosts could not be reached: their applications were not planned. */
  readonly unreachable: readonly { readonly scope: string; readonly error: string }[];
}

const key = (service: string, env: string) => `${service}/${env}`;

/** Runs one pass over `mirror`'s desired state. */
export async function reconcileOnce(
  mirror: GitMirror,
  deps: PassDeps,
  options: PassOptions,
): Promise<PassResult> {
  const desired = await readDesiredState(mirror, options.cache);
  const fleets =
    deps.fleet && desired.fleetEnvironments.length > 0 ? new PassFleets(desired, deps.fleet) : undefined;
  try {
    return await pass(desired, fleets, deps, { ...options, branch: mirror.repository.branch });
  } finally {
    await fleets?.close();
  }
}

async function pass(
  desired: DesiredState,
  fleets: PassFleets | undefined,
  deps: PassDeps,
  options: PassOptions & { readonly branch: string },
): Promise<PassResult> {
  let unreachable: PassResult['unreachable'] = [];
  const observeAll = async () => {
    const fleet = fleets ? await fleets.observe() : { statuses: [], unreachable: [] };
    unreachable = fleet.unreachable;
    return observe(wanted(), fleet.statuses, deps.controller);
  };
  // Applications of environments with hosts need their hosts, and a region that cannot be reached waits.
  const wanted = () =>
    desired.apps.filter(
      (app) =>
        (fleets !== undefined || !app.env.includes('@')) && !unreachable.some((u) => u.scope === app.env),
    );
  const live = await observeAll();
  const { sync } = options;
  const plan = async (observed: readonly LiveApp[]) => {
    const settings = {
      prune: sync.prune,
      selfHeal: sync.selfHeal || options.force === true,
      force: options.force === true,
    };
    const first = planReconcile(wanted(), observed, settings);
    // What the last syncs applied only tells a new commit from drift: read it when something differs.
    if (!first.some((app) => app.sync === 'OutOfSync' && !app.orphan)) return first;
    return planReconcile(wanted(), observed, {
      ...settings,
      applied: await appliedRevisions(deps.controller.store),
    });
  };
  const planned = await plan(live);
  if (options.dryRun) return { desired, apps: planned, planned, applied: [], unreachable };
  const context: TargetContext = {
    desired,
    controller: deps.controller,
    actor: deps.actor,
    branch: options.branch,
    force: options.force === true,
    ...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
  };
  const applied = await applyInOrder(planned, desired, options.sync.parallel ?? 4, (app) =>
    apply(app, context, targetOf(context, fleets, app.service, app.env)),
  );
  const apps = applied.length === 0 ? planned : await plan(await observeAll());
  return { desired, apps, planned, applied, unreachable };
}

/**
 * What runs for every desired application and every service the platforms run (the local one's
 * environments, and each reachable region of the fleets by scope), with the latest rollout where
 * the plan reads it: every rollout in progress (one query), and the latest one of an application
 * not serving its desired revision (whether its sync ended rolled back). An application serving
 * its desired revision needs no history.
 */
async function observe(
  desired: readonly DesiredApp[],
  fleetStatuses: readonly ServiceStatus[],
  deps: ControllerDeps,
): Promise<LiveApp[]> {
  const local = (await deps.platform.list()).filter((s) => !s.env.includes('@'));
  const statuses = new Map([...local, ...fleetStatuses].map((s) => [key(s.service, s.env), s]));
  const active = new Map(
    (await deps.store.listRollouts({ active: true })).map((r) => [key(r.service, r.environment), r]),
  );
  const wanted = new Map(desired.map((app) => [key(app.service, app.env), app.revision]));
  const keys = new Map<string, { service: string; env: string }>();
  for (const app of desired) keys.set(key(app.service, app.env), app);
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
  context: TargetContext,
  target: SyncTarget,
): Promise<AppliedAction | undefined> {
  const { controller, desired } = context;
  const at = { service: app.service, env: app.env };
  const commit = desired.commit.commit;
  const record = (type: 'gitops.synced' | 'gitops.failed' | 'gitops.pruned', data: Record<string, unknown>) =>
    controller.store.appendEvent({
      type,
      actor: context.actor,
      service: app.service,
      environment: app.env,
      commitSha: commit,
      subject: `gitops/${app.service}/${app.env}`,
      data: { commit, subject: desired.commit.subject, author: desired.commit.author, ...data },
    });
  const { action } = app;
  const { platform, ref } = target;
  if (action.kind === 'prune') {
    try {
      await platform.remove(ref);
      await record('gitops.pruned', { revision: app.live ?? null });
      return { ...at, action: 'prune', status: 'completed' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await record('gitops.failed', { action: 'prune', reason: message });
      return { ...at, action: 'prune', status: 'failed', error: message };
    }
  }
  if (action.kind !== 'sync' && action.kind !== 'heal') return undefined;
  const revision = action.revision;
  try {
    if (app.live === revision) {
      // The revision serves: what drifted is counts, or other revisions left running.
      const want = desired.apps.find((a) => a.service === app.service && a.env === app.env);
      const now = await platform.status(ref);
      for (const other of now?.revisions ?? [])
        if (other.id !== revision && other.desired > 0) await platform.scale(ref, other.id, 0);
      await platform.scale(ref, revision, want?.instances ?? 1);
      await record('gitops.synced', { revision, action: action.kind, status: 'completed' });
      return { ...at, action: action.kind, status: 'completed', revision };
    }
    const result = await target.sync(action.kind, revision);
    const { status, reason, run } = result;
    const done = { ...at, action: action.kind, status, revision, ...(run !== undefined ? { run } : {}) };
    if (status === 'waiting') return done;
    if (status === 'completed' || status === 'unchanged')
      await record('gitops.synced', { revision, action: action.kind, status });
    else if (status !== 'rejected' || result.freshRejection)
      await record('gitops.failed', { revision, action: action.kind, status, reason: reason ?? status });
    return { ...done, ...(reason ? { error: reason } : {}) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await record('gitops.failed', { revision, action: action.kind, reason: message });
    return { ...at, action: action.kind, status: 'failed', revision, error: message };
  }
}
