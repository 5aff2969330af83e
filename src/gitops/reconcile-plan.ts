/**
 * One reconcile pass, planned: from the desired state (a revision and instance count per service
 * and environment, read from the watched commit) and the live state (what the platform runs, the
 * latest rollout), each application's sync status and health in Argo CD's words, the diff, and
 * what the pass does about it. Pure: the executor reads both states and applies the actions.
 *
 * - `Synced`: it serves the desired revision alone, at the desired instance count; else `OutOfSync`
 *   with one diff line per difference.
 * - Health: `Missing` (nothing runs), `Suspended` (its rollout is paused), `Progressing` (a rollout
 *   runs, or instances are not ready yet while one starts), `Degraded` (fewer ready instances than
 *   desired, or its latest rollout of the desired revision ended rolled back or aborted), else
 *   `Healthy`.
 * - Actions: `sync` deploys a revision not yet applied through the environment's rollout; a
 *   difference from a revision already applied is drift, undone (`heal`) only with selfHeal; a
 *   revision whose sync ended rolled back waits for a new commit (or a forced sync), as in Argo CD;
 *   nothing is done while a rollout runs; what runs but is not desired is pruned only with prune.
 */
import type { ServiceStatus } from '../platform/platform.js';
import type { RolloutPhase } from '../store/store.js';

/** What the watched commit asks for one service in one environment. */
export interface DesiredApp {
  readonly service: string;
  readonly env: string;
  readonly revision: string;
  readonly instances: number;
}

/** What runs for one service in one environment. */
export interface LiveApp {
  readonly service: string;
  readonly env: string;
  readonly status?: ServiceStatus;
  /** The latest rollout of the service in the environment. */
  readonly rollout?: { readonly revision: string; readonly phase: RolloutPhase };
}

export type SyncStatus = 'Synced' | 'OutOfSync';
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing';

/** What the pass does for one application. */
export type ReconcileAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'sync'; readonly revision: string }
  | { readonly kind: 'heal'; readonly revision: string }
  | { readonly kind: 'prune' }
  | { readonly kind: 'wait'; readonly reason: string };

/** One application's state after planning. */
export interface AppState {
  readonly service: string;
  readonly env: string;
  readonly sync: SyncStatus;
  readonly health: HealthStatus;
  /** The desired revision (absent for an orphan). */
  readonly revision?: string;
  /** The revision serving all traffic now, if one does. */
  readonly live?: string;
  readonly diff: readonly string[];
  /** It runs but is not in the desired state. */
  readonly orphan: boolean;
  readonly action: ReconcileAction;
}

/** What the pass may do and what it knows of earlier syncs. */
export interface ReconcileOptions {
  readonly prune: boolean;
  readonly selfHeal: boolean;
  /** `service/env` -> the revision the last sync applied there. */
  readonly applied?: Readonly<Record<string, string>>;
  /** A forced sync retries a revision whose sync ended rolled back. */
  readonly force?: boolean;
}

const key = (service: string, env: string) => `${service}/${env}`;

/** Plans one pass; applications in the order desired, then orphans by name. */
export function planReconcile(
  desired: readonly DesiredApp[],
  live: readonly LiveApp[],
  options: ReconcileOptions,
): AppState[] {
  const liveByKey = new Map(live.map((app) => [key(app.service, app.env), app]));
  const states = desired.map((want) => planApp(want, liveByKey.get(key(want.service, want.env)), options));
  const wanted = new Set(desired.map((want) => key(want.service, want.env)));
  const orphans = live
    .filter((app) => app.status !== undefined && !wanted.has(key(app.service, app.env)))
    .sort((a, b) => key(a.service, a.env).localeCompare(key(b.service, b.env)));
  for (const app of orphans) {
    const serving = servingRevision(app.status);
    states.push({
      service: app.service,
      env: app.env,
      sync: 'OutOfSync',
      health: healthOf(app, app.status?.revisions.find((r) => r.id === serving)?.desired ?? 0, undefined),
      ...(serving !== undefined ? { live: serving } : {}),
      diff: ['runs, but the desired state no longer has it'],
      orphan: true,
      action: options.prune ? { kind: 'prune' } : { kind: 'none' },
    });
  }
  return states;
}

function planApp(want: DesiredApp, app: LiveApp | undefined, options: ReconcileOptions): AppState {
  const base = { service: want.service, env: want.env, revision: want.revision, orphan: false };
  const status = app?.status;
  if (!status) {
    return {
      ...base,
      sync: 'OutOfSync',
      health: 'Missing',
      diff: [
        `not running; wants ${want.revision} with ${want.instances} instance${want.instances === 1 ? '' : 's'}`,
      ],
      action: { kind: 'sync', revision: want.revision },
    };
  }
  const serving = servingRevision(status);
  const diff = differences(want, status);
  const health = healthOf(app, want.instances, want.revision);
  const sync: SyncStatus = diff.length === 0 ? 'Synced' : 'OutOfSync';
  const rollout = app?.rollout;
  const live = serving !== undefined ? { live: serving } : {};
  if (rollout && (rollout.phase === 'running' || rollout.phase === 'paused')) {
    // A running rollout is left to its controller, whatever it moves to.
    const toDesired = rollout.revision === want.revision;
    return {
      ...base,
      ...live,
      sync: toDesired ? 'Synced' : sync,
      health,
      diff: toDesired ? [] : diff,
      action: toDesired
        ? { kind: 'none' }
        : { kind: 'wait', reason: `a rollout of ${rollout.revision} is ${rollout.phase}` },
    };
  }
  const state = (action: ReconcileAction): AppState => ({ ...base, ...live, sync, health, diff, action });
  if (sync === 'Synced') return state({ kind: 'none' });
  const failed =
    rollout?.revision === want.revision && (rollout.phase === 'rolled_back' || rollout.phase === 'aborted');
  if (failed && !options.force)
    return state({
      kind: 'wait',
      reason: `the sync of ${want.revision} ended ${rollout?.phase.replace('_', ' ')}; waiting for a new commit or a forced sync`,
    });
  const applied = options.applied?.[key(want.service, want.env)] === want.revision;
  if (!applied || options.force) return state({ kind: 'sync', revision: want.revision });
  // The revision was applied and what runs moved away from it by hand: drift.
  return state(
    options.selfHeal
      ? { kind: 'heal', revision: want.revision }
      : { kind: 'wait', reason: 'drift from the applied revision; selfHeal is off' },
  );
}

/** The revision taking all the traffic, if one does. */
function servingRevision(status: ServiceStatus | undefined): string | undefined {
  return status?.revisions.find((r) => r.weight === 100)?.id;
}

/** One line per way `status` differs from `want`. */
function differences(want: DesiredApp, status: ServiceStatus): string[] {
  const diff: string[] = [];
  const serving = servingRevision(status);
  if (serving !== want.revision) {
    const weights = status.revisions
      .filter((r) => r.weight > 0)
      .map((r) => `${r.id} ${r.weight}%`)
      .join(', ');
    diff.push(`revision: ${weights || 'no traffic'} -> ${want.revision} 100%`);
  }
  const mine = status.revisions.find((r) => r.id === want.revision);
  if (mine && serving === want.revision && mine.desired !== want.instances)
    diff.push(`instances of ${want.revision}: ${mine.desired} -> ${want.instances}`);
  const others = status.revisions.filter((r) => r.id !== want.revision && r.desired > 0);
  if (serving === want.revision && others.length > 0)
    diff.push(`other revisions still run: ${others.map((r) => `${r.id} x${r.desired}`).join(', ')}`);
  return diff;
}

function healthOf(app: LiveApp | undefined, instances: number, desired: string | undefined): HealthStatus {
  const status = app?.status;
  if (!status) return 'Missing';
  const rollout = app?.rollout;
  if (rollout?.phase === 'paused') return 'Suspended';
  if (rollout?.phase === 'running') return 'Progressing';
  const serving = servingRevision(status);
  const revision = status.revisions.find((r) => r.id === serving);
  if (!revision || revision.desired === 0) return status.revisions.length === 0 ? 'Missing' : 'Degraded';
  if (
    desired !== undefined &&
    rollout?.revision === desired &&
    (rollout.phase === 'rolled_back' || rollout.phase === 'aborted')
  )
    return 'Degraded';
  if (revision.ready < Math.min(revision.desired, instances || revision.desired)) {
    const starting = status.instances.some((i) => i.revision === revision.id && i.phase === 'starting');
    return starting ? 'Progressing' : 'Degraded';
  }
  return 'Healthy';
}
