/**
 * The order a pass applies its actions in: syncs and heals level by level of `dependsOn` (a service
 * after the services it depends on in the same environment), up to `parallel` at once, then
 * prunes. A service whose dependency did not end in sync and healthy is not tried (`blocked`), as
 * Flux holds a Kustomization whose dependency is not ready.
 */
import type { DesiredState } from './desired-state.js';
import type { AppState } from './reconcile-plan.js';

const key = (service: string, env: string) => `${service}/${env}`;

/** What applying one application's action did. */
export interface AppliedAction {
  readonly service: string;
  readonly env: string;
  readonly action: 'sync' | 'heal' | 'prune';
  /**
   * `blocked`: a service it depends on is not in sync and healthy, so it was not tried. `waiting`:
   * its environment is gated and the approval (run `run`) is not decided; `rejected`: it was refused.
   */
  readonly status:
    | 'waiting'
    | 'rejected'
    | 'completed'
    | 'unchanged'
    | 'rolled_back'
    | 'aborted'
    | 'busy'
    | 'released'
    | 'failed'
    | 'blocked';
  readonly revision?: string;
  readonly error?: string;
  /** The gate run of a sync into a gated environment (`slipway approve RUN ENV`). */
  readonly run?: number;
}

/** Applies `planned` with `apply` in dependency order; returns what each application's action did. */
export async function applyInOrder(
  planned: readonly AppState[],
  desired: DesiredState,
  parallel: number,
  apply: (app: AppState) => Promise<AppliedAction | undefined>,
): Promise<AppliedAction[]> {
  const byKey = new Map(planned.map((app) => [key(app.service, app.env), app]));
  const dependencies = (app: AppState) =>
    (desired.config.services[app.service]?.dependsOn ?? []).map((other) => key(other, app.env));
  const done = new Map<string, AppliedAction>();
  // In sync and healthy after this pass: its action succeeded, or it had none and was already so.
  const ready = (dependency: string) => {
    const result = done.get(dependency);
    if (result) return result.status === 'completed' || result.status === 'unchanged';
    const state = byKey.get(dependency);
    return state === undefined || (state.sync === 'Synced' && state.health === 'Healthy');
  };
  const results: AppliedAction[] = [];
  let pending = planned.filter((app) => app.action.kind === 'sync' || app.action.kind === 'heal');
  while (pending.length > 0) {
    const waiting = new Set(pending.map((app) => key(app.service, app.env)));
    const level = pending.filter((app) => dependencies(app).every((d) => !waiting.has(d)));
    // The config refuses cycles; should one slip through, everything left goes at once.
    const now = level.length > 0 ? level : pending;
    const outcomes = await limited(now, parallel, async (app) => {
      const blocking = dependencies(app).filter((d) => !ready(d));
      if (blocking.length > 0) {
        const action = app.action.kind === 'heal' ? 'heal' : 'sync';
        return {
          service: app.service,
          env: app.env,
          action,
          status: 'blocked',
          ...(app.revision ? { revision: app.revision } : {}),
          error: `waits for ${blocking.map((d) => d.replace('/', '@')).join(', ')} to be in sync and healthy`,
        } satisfies AppliedAction;
      }
      return apply(app);
    });
    now.forEach((app, i) => {
      const outcome = outcomes[i];
      if (!outcome) return;
      done.set(key(app.service, app.env), outcome);
      results.push(outcome);
    });
    pending = pending.filter((app) => !now.includes(app));
  }
  const prunes = planned.filter((app) => app.action.kind === 'prune');
  for (const outcome of await limited(prunes, parallel, apply)) if (outcome) results.push(outcome);
  return results;
}

/** `work` over `items`, at most `limit` at once, results in the items' order. */
async function limited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
