// Rollouts in bench:metrics' history, written as the rollout controller writes them: started,
// progressed step by step, then completed with service.deployed/service.upgraded, rolled back by
// analysis (service.rolledback, then rollout.aborted with rolledBack), or aborted, each end with
// its deploy record; a fleet's waves one region after the other; and now and then a manual
// `slipway rollback` soon after a deploy.
import type { DeployedChange, DeployRecord, DeployResult } from '../../src/store/delivery-records.js';
import { type EventTimeline, MINUTE, SECOND } from './event-timeline.js';
import type { SeededRandom } from './seeded-random.js';

export const PEOPLE = 'ada grace linus margaret ken barbara dennis frances edsger radia'.split(' ');
export const STRATEGIES = [
  { name: 'canary', actions: ['setWeight', 'pause', 'setWeight', 'pause', 'setWeight'] },
  { name: 'blueGreen', actions: ['preview', 'switch'] },
  { name: 'rolling', actions: ['replace', 'replace', 'replace'] },
] as const;

/** How a service is deployed: by its pipeline's deploy environments, by gitops passes, or by hand. */
export type Driver = 'pipeline' | 'gitops' | 'cli';

/** Where one service runs in one scope (`staging`, `production`, `production@eu-west`). */
interface Scope {
  /** Commits since the scope's deployed commit, oldest first. */
  pending: DeployedChange[];
  revision: string | null;
  busyUntil: number;
}

/** A service of the history and where it runs. */
export interface HistoryService {
  readonly name: string;
  readonly driver: Driver;
  readonly strategy: (typeof STRATEGIES)[number];
  /** The regions of its production fleet, or null for one production. */
  readonly regions: readonly string[] | null;
  /** Releases and other pipeline runs per working day. */
  readonly releaseRate: number;
  readonly runRate: number;
  readonly scopes: Map<string, Scope>;
  lastCommit: number;
}

/** How a rollout (or a fleet's waves) ended. */
export interface RolloutEnd {
  readonly end: number;
  readonly ok: boolean;
}

/** The scope `name` of `service`, made on first use. */
export function scopeOf(service: HistoryService, name: string): Scope {
  let scope = service.scopes.get(name);
  if (!scope) {
    scope = { pending: [], revision: null, busyUntil: 0 };
    service.scopes.set(name, scope);
  }
  return scope;
}

/** Writes rollouts to the timeline. */
export class RolloutHistory {
  manualRollbacks = 0;
  #rolloutId = 0;

  constructor(
    private readonly random: SeededRandom,
    private readonly timeline: EventTimeline,
  ) {}

  /** One rollout per scope, in order (a fleet's waves), stopping at the first that fails. */
  rollouts(
    service: HistoryService,
    scopes: readonly string[],
    sha: string,
    actor: string,
    at: number,
  ): RolloutEnd {
    const { random, timeline } = this;
    const fleet = scopes.length > 1;
    const environment = scopes[0]!.split('@')[0]!;
    const subject = `fleet/${sha.slice(0, 12)}`;
    const fleetBase = { actor, service: service.name, environment, commitSha: sha, subject };
    let t = at;
    if (fleet) timeline.emit(t, { ...fleetBase, type: 'fleet.started', data: { regions: scopes.length } });
    for (const scope of scopes) {
      const region = scope.split('@')[1];
      if (fleet) timeline.emit(t, { ...fleetBase, type: 'fleetwave.started', data: { region } });
      const result = this.#rollout(service, scope, sha, actor, t + 50);
      t = result.end + 100;
      if (fleet)
        timeline.emit(t, {
          ...fleetBase,
          type: result.ok ? 'fleetwave.completed' : 'fleetwave.failed',
          data: { region },
        });
      if (service.driver === 'gitops')
        timeline.emit(t + 20, {
          actor: 'gitops',
          service: service.name,
          environment: scope,
          commitSha: sha,
          subject: `gitops/${service.name}/${scope}`,
          type: result.ok ? 'gitops.synced' : 'gitops.failed',
          data: {
            revision: result.revision,
            action: 'deploy',
            status: result.ok ? 'completed' : 'rolled_back',
          },
        });
      if (!result.ok) {
        if (fleet) timeline.emit(t + 50, { ...fleetBase, type: 'fleet.failed', data: { region } });
        return { end: t + 50, ok: false };
      }
      t += fleet ? random.between(MINUTE, 10 * MINUTE) : 0;
    }
    if (fleet) timeline.emit(t, { ...fleetBase, type: 'fleet.completed', data: {} });
    return { end: t, ok: true };
  }

  /** One rollout, as the controller records it, ending with its deploy record. */
  #rollout(
    service: HistoryService,
    scopeName: string,
    sha: string,
    actor: string,
    requested: number,
  ): RolloutEnd & { readonly revision: string } {
    const { random, timeline } = this;
    const scope = scopeOf(service, scopeName);
    const startedAt = Math.round(Math.max(requested, scope.busyUntil + SECOND));
    const id = ++this.#rolloutId;
    const revision = random.hex(16);
    const stable = scope.revision;
    const { strategy } = service;
    const base = {
      actor,
      service: service.name,
      environment: scopeName,
      commitSha: sha,
      subject: `rollout/${id}`,
    };
    timeline.emit(startedAt, {
      ...base,
      type: 'rollout.started',
      data: { rollout: id, revision, stable, strategy: strategy.name, steps: strategy.actions.length },
    });
    const roll = random.next();
    const result: DeployResult = roll < 0.9 ? 'completed' : roll < 0.97 ? 'rolled_back' : 'aborted';
    const stopAt =
      result === 'completed' ? strategy.actions.length : random.int(0, strategy.actions.length - 1);
    let t = startedAt;
    for (let step = 0; step < stopAt; step++) {
      const action = strategy.actions[step]!;
      t +=
        action === 'pause'
          ? random.between(2 * MINUTE, 10 * MINUTE)
          : random.between(5 * SECOND, 90 * SECOND);
      timeline.emit(t, { ...base, type: 'rollout.progressed', data: { rollout: id, step, action } });
    }
    t += random.between(2 * SECOND, 3 * MINUTE);
    const measured = random.chance(0.92);
    const requests = random.int(200, 150_000);
    const failedRequests = random.chance(result === 'completed' ? 0.02 : 0.4) ? random.int(1, 40) : 0;
    // The commits since the scope's deployed one (the latest ten of them; a first deploy has its own).
    const changes = scope.pending.slice(-10);
    const record: DeployRecord = {
      result,
      startedAt,
      changes: changes.length > 0 ? changes : [{ sha, time: startedAt - MINUTE }],
      traffic: measured ? { requests, failed: failedRequests } : null,
    };
    if (result === 'completed') {
      timeline.emit(t, { ...base, type: 'rollout.completed', data: { rollout: id, revision } });
      timeline.emit(t + 3, {
        ...base,
        type: stable ? 'service.upgraded' : 'service.deployed',
        data: { rollout: id, revision, previous: stable, strategy: strategy.name, deploy: record },
      });
      scope.pending = [];
      scope.revision = revision;
      scope.busyUntil = t + 3;
      this.#maybeManualRollback(service, scopeName, stable, t + 3);
      return { end: t + 3, ok: true, revision };
    }
    const reason = result === 'rolled_back' ? 'analysis failed: error-rate 0.084 > 0.05' : 'aborted by hand';
    const restoreMs = random.chance(0.03)
      ? random.int(120_000, 200_000)
      : Math.round(random.logNormal(1500, 1));
    const deploy: DeployRecord = { ...record, decidedAt: t, restoreMs };
    const end = t + restoreMs + random.int(50, 800);
    const data = { rollout: id, revision, stable, reason, restoreMs, deploy };
    if (result === 'rolled_back') {
      timeline.emit(end, { ...base, type: 'service.rolledback', data });
      timeline.emit(end + 2, {
        ...base,
        type: 'rollout.aborted',
        data: { rollout: id, reason, rolledBack: true },
      });
    } else timeline.emit(end, { ...base, type: 'rollout.aborted', data });
    scope.busyUntil = end + 2;
    return { end: end + 2, ok: false, revision };
  }

  /** Now and then someone runs `slipway rollback` soon after a deploy: a rollout of the earlier revision. */
  #maybeManualRollback(
    service: HistoryService,
    scopeName: string,
    previous: string | null,
    after: number,
  ): void {
    const { random, timeline } = this;
    if (previous === null || !random.chance(scopeName.startsWith('production') ? 0.008 : 0.003)) return;
    const scope = scopeOf(service, scopeName);
    const startedAt = Math.round(after + random.logNormal(40 * MINUTE, 1));
    const id = ++this.#rolloutId;
    const actor = random.pick(PEOPLE);
    const base = { actor, service: service.name, environment: scopeName, subject: `rollout/${id}` };
    const current = scope.revision;
    timeline.emit(startedAt, {
      ...base,
      type: 'rollout.started',
      data: { rollout: id, revision: previous, stable: current, strategy: 'rollback', steps: 1 },
    });
    const restoreMs = Math.round(random.logNormal(8 * SECOND, 0.8));
    const end = startedAt + restoreMs;
    timeline.emit(end - 5, { ...base, type: 'rollout.completed', data: { rollout: id, revision: previous } });
    timeline.emit(end - 2, {
      ...base,
      type: 'service.upgraded',
      data: { rollout: id, revision: previous, previous: current, strategy: 'rollback' },
    });
    timeline.emit(end, {
      ...base,
      type: 'service.rolledback',
      data: {
        rollout: id,
        revision: previous,
        previous: current,
        manual: true,
        rollback: { startedAt, restoreMs },
      },
    });
    this.manualRollbacks++;
    scope.revision = previous;
    scope.busyUntil = Math.max(scope.busyUntil, end);
  }
}
