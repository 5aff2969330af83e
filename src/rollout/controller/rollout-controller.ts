/**
 * Drives a stored rollout step by step against a Platform: scale up (and wait for readiness),
 * checks, one atomic traffic update, scale down, then hold the step while analysing. Every
 * transition is persisted first, so a controller killed at any point leaves traffic where it was
 * and the next one continues from the stored step. A failed verdict flips traffic back to the
 * stable revision in one router update.
 */
import type { ServiceRef } from '../../platform/platform.js';
import type { EventType } from '../../store/event-types.js';
import { LEASE_STALE_AFTER_MS, leaseOwnerIsGone } from '../../store/lease-owner.js';
import type { Rollout } from '../../store/store.js';
import { deployRecordOf } from '../delivery-record.js';
import { parseScope } from '../fleet/region-platform.js';
import type { RolloutStep } from '../rollout-step.js';
import { runCommand, runSmoke, runWarmup } from './checks.js';
import type { ControllerDeps, RolloutOutcome, StepResult } from './controller-types.js';
import { holdStep } from './hold-step.js';
import { contractWarning } from './migration-record.js';
import { runMigrationStep } from './migration-step.js';
import type { RolloutSpec } from './rollout-spec.js';
import { runSecurityStep } from './security-step.js';
import { resumedData, storedAnalysis } from './stored-analysis.js';

/** A controller whose heartbeat is older than this is presumed dead and its rollout taken over. */
export const STALE_AFTER_MS = LEASE_STALE_AFTER_MS;
/** Controllers are lease holders like any other: `host:pid:start`. */
export { leaseOwnerId as controllerId, leaseOwnerIsGone as ownerIsGone } from '../../store/lease-owner.js';

const HEARTBEAT_MS = 1000;
/** How often a paused rollout looks for a control request. */
const PAUSED_POLL_MS = 100;

/** Drives rollouts; one instance can drive several in turn. */
export class RolloutController {
  constructor(private readonly deps: ControllerDeps) {}

  /** Drives a rollout until it ends, or says who else drives it. */
  async drive(id: number): Promise<RolloutOutcome> {
    const { store } = this.deps;
    const current = await store.getRollout(id);
    // A controller on this host whose process is gone can be taken over at once, without waiting for staleness.
    const staleBefore =
      current?.owner && leaseOwnerIsGone(current.owner)
        ? Number.MAX_SAFE_INTEGER
        : this.now() - STALE_AFTER_MS;
    if (!(await store.claimRollout(id, this.deps.owner, staleBefore))) {
      return { status: 'busy', owner: (await store.getRollout(id))?.owner ?? 'another controller' };
    }
    let lost = false;
    const beating = new AbortController();
    const heartbeat = this.heartbeat(id, beating.signal, () => {
      lost = true;
    });
    try {
      for (;;) {
        if (lost)
          return { status: 'busy', owner: (await store.getRollout(id))?.owner ?? 'another controller' };
        if (this.deps.signal?.aborted) return await this.release(id);
        const rollout = await this.load(id);
        const spec = rollout.plan as RolloutSpec;
        if (rollout.phase === 'completed' || rollout.phase === 'rolled_back' || rollout.phase === 'aborted') {
          return { status: rollout.phase, ...(rollout.reason ? { reason: rollout.reason } : {}) };
        }
        if (rollout.request === 'abort') return this.rollBack(rollout, spec, 'aborted', `aborted by request`);
        if (rollout.phase === 'paused') {
          if (
            rollout.request === 'resume' ||
            rollout.request === 'promote' ||
            rollout.request === 'promote_full'
          ) {
            // A pause in the middle of a step: resume applies the step again, promote skips the rest of it.
            const during = rollout.data.pause !== 'after';
            const step =
              rollout.request === 'promote_full'
                ? lastStepIndex(spec)
                : rollout.request === 'promote' && during
                  ? rollout.step + 1
                  : rollout.step;
            // Resuming after an inconclusive pause restarts that count; nothing else resets one.
            const data = resumedData(rollout.data);
            await store.updateRollout(id, { phase: 'running', request: null, reason: null, step, data });
            this.deps.report({ type: 'rollout.resumed', rollout: id, step });
            continue;
          }
          await this.deps.clock.sleep(PAUSED_POLL_MS);
          continue;
        }
        if (rollout.request === 'pause') {
          await this.pause(rollout, 'paused by request');
          continue;
        }
        if (rollout.step >= spec.steps.length) return this.complete(rollout, spec);
        const step = spec.steps[rollout.step] as RolloutStep;
        const result = await this.applyStep(rollout, spec, step);
        if (result.status === 'done') {
          if (step.pause === true) {
            // Paused *after* the step: promote goes on with the next one.
            const reason = 'waiting for `slipway promote`';
            await store.updateRollout(id, {
              step: rollout.step + 1,
              phase: 'paused',
              reason,
              data: { ...(await this.load(id)).data, pause: 'after' },
            });
            this.deps.report({ type: 'rollout.paused', rollout: id, step: rollout.step, reason });
            await this.record('rollout.paused', rollout, { step: rollout.step, reason });
          } else {
            await store.updateRollout(id, { step: rollout.step + 1 });
          }
          await this.record('rollout.progressed', rollout, { step: rollout.step, action: step.action });
        } else if (result.status === 'released') {
          return await this.release(id);
        } else if (result.status === 'jump') {
          await store.updateRollout(id, { step: result.to, request: null });
        } else if (result.status === 'paused') {
          await this.pause(rollout, result.reason, result.inconclusive === true);
        } else if (result.status === 'aborted') {
          return this.rollBack(rollout, spec, 'aborted', result.reason);
        } else if (spec.autoRollback) {
          return this.rollBack(rollout, spec, 'rolled_back', result.reason);
        } else {
          await this.pause(rollout, `${result.reason} (autoRollback is off: promote or abort)`);
        }
      }
    } finally {
      beating.abort();
      await heartbeat;
    }
  }

  /** Renews the lease every heartbeat until `signal` aborts; `onLost` hears when another controller holds it. */
  private async heartbeat(id: number, signal: AbortSignal, onLost: () => void): Promise<void> {
    const { store, clock, owner } = this.deps;
    for (;;) {
      await clock.sleep(HEARTBEAT_MS, signal);
      if (signal.aborted) return;
      try {
        if (!(await store.claimRollout(id, owner, clock.now() - STALE_AFTER_MS))) onLost();
      } catch {
        // A renewal the store could not answer is tried again on the next beat; only a refused one loses the lease.
      }
    }
  }

  /** Gives the rollout up where it stands: no owner, so the next controller takes it at once. */
  private async release(id: number): Promise<RolloutOutcome> {
    const current = await this.deps.store.getRollout(id);
    if (current?.owner === this.deps.owner)
      await this.deps.store.updateRollout(id, { owner: null, heartbeatAt: null });
    return { status: 'released' };
  }

  /** Applies one step: scale up and wait, checks, traffic, scale down, hold with analysis. */
  private async applyStep(rollout: Rollout, spec: RolloutSpec, step: RolloutStep): Promise<StepResult> {
    const { platform } = this.deps;
    const ref = refOf(rollout);
    this.deps.report({
      type: 'rollout.step',
      rollout: rollout.id,
      step: rollout.step,
      action: step.action,
      weights: step.weights,
      instances: step.instances,
    });
    const status = await platform.status(ref);
    const desired = new Map((status?.revisions ?? []).map((r) => [r.id, r.desired]));
    const ups = Object.entries(step.instances).filter(
      ([id, n]) => (n as number) > (desired.get(id) ?? 0),
    ) as [string, number][];
    for (const [id, n] of ups) await platform.scale(ref, id, n);
    for (const [id, n] of ups) {
      const ready = await platform.waitReady(ref, id, n, spec.readyTimeoutMs);
      if (ready.status !== 'ready')
        return { status: 'failed', reason: `revision ${id} did not become ready: ${ready.message}` };
    }
    const scope = parseScope(ref.env);
    const target = {
      url: status?.url ?? '',
      revision: spec.next.id,
      env: {
        ...this.deps.env,
        SLIPWAY_SERVICE: ref.service,
        SLIPWAY_ENV: scope.env,
        ...(scope.region === undefined ? {} : { SLIPWAY_REGION: scope.region }),
      },
      workdir: spec.workdir,
    };
    if (step.action === 'preDeploy' && spec.hooks.preDeploy) {
      const result = await runCommand(spec.hooks.preDeploy, target, spec.hooks.timeoutMs);
      if (!result.ok) return { status: 'aborted', reason: `preDeploy hook failed: ${result.message}` };
    }
    if (step.action === 'expand' || step.action === 'contract') {
      const ended = await runMigrationStep({ rollout, spec, step, target, deps: this.deps });
      if (ended) return ended;
    }
    if (step.action === 'warmup') {
      const result = await runWarmup(spec.checks.warmup, step.instances[spec.next.id] ?? 1, target);
      if (!result.ok) return { status: 'failed', reason: result.message };
    }
    if (step.action === 'smoke') {
      const result = await runSmoke(spec.checks.smoke, target, spec.checks.timeoutMs);
      if (!result.ok) return { status: 'failed', reason: result.message };
    }
    if (step.action === 'securityCheck' || step.action === 'securityVerify') {
      const failed = await runSecurityStep({ rollout, spec, step, target, deps: this.deps });
      if (failed) return failed;
    }
    const current = Object.fromEntries((status?.revisions ?? []).map((r) => [r.id, r.weight]));
    if (!sameWeights(current, step.weights)) {
      await platform.setTraffic(ref, {
        weights: step.weights,
        roles: { ...(spec.stable ? { stable: spec.stable.id } : {}), canary: spec.next.id },
      });
    }
    for (const [id, n] of Object.entries(step.instances) as [string, number][]) {
      if (n < (desired.get(id) ?? 0)) await platform.scale(ref, id, n);
    }
    if (step.action === 'postDeploy' && spec.hooks.postDeploy) {
      const result = await runCommand(spec.hooks.postDeploy, target, spec.hooks.timeoutMs);
      if (!result.ok) return { status: 'failed', reason: `postDeploy hook failed: ${result.message}` };
    }
    if (!step.durationMs) return { status: 'done' };
    return holdStep({
      rollout,
      spec,
      step,
      target,
      deps: this.deps,
      lastStep: lastStepIndex(spec),
      promotesNext: rollout.step + 1 === lastStepIndex(spec),
      analysis: storedAnalysis(rollout.data),
      saveMeasurements: async (measurements, analysis) => {
        const { data } = await this.load(rollout.id);
        await this.deps.store.updateRollout(rollout.id, {
          data: { ...data, measurements, measuredAt: this.now(), analysis },
        });
      },
    });
  }

  /** Flips traffic back to the stable revision at once, then removes the new one. */
  private async rollBack(
    rollout: Rollout,
    spec: RolloutSpec,
    phase: 'rolled_back' | 'aborted',
    reason: string,
  ): Promise<RolloutOutcome> {
    const { platform, store } = this.deps;
    const ref = refOf(rollout);
    const decidedAt = this.now();
    let restoreMs = 0;
    if (spec.stable) {
      const status = await platform.status(ref);
      const stable = status?.revisions.find((r) => r.id === spec.stable?.id);
      if ((stable?.desired ?? 0) < spec.stable.instances)
        await platform.scale(ref, spec.stable.id, spec.stable.instances);
      if ((stable?.ready ?? 0) === 0) await platform.waitReady(ref, spec.stable.id, 1, spec.readyTimeoutMs);
      await platform.setTraffic(ref, {
        weights: { [spec.stable.id]: 100, [spec.next.id]: 0 },
        roles: { stable: spec.stable.id },
      });
      restoreMs = this.now() - decidedAt;
      this.deps.report({ type: 'rollout.rollback', rollout: rollout.id, reason, restoreMs });
    }
    await platform.scale(ref, spec.next.id, 0);
    await store.updateRollout(rollout.id, {
      phase,
      reason,
      request: null,
      finishedAt: this.now(),
      data: { ...(await this.load(rollout.id)).data, decidedAt, restoreMs },
    });
    const deploy =
      spec.strategy === 'rollback'
        ? undefined
        : await deployRecordOf(platform, ref, rollout, spec.delivery, spec.next.id, phase, {
            decidedAt,
            restoreMs,
          });
    await this.record(phase === 'rolled_back' ? 'service.rolledback' : 'rollout.aborted', rollout, {
      revision: spec.next.id,
      stable: spec.stable?.id ?? null,
      reason,
      restoreMs,
      ...(deploy ? { deploy } : {}),
    });
    if (phase === 'rolled_back') await this.record('rollout.aborted', rollout, { reason, rolledBack: true });
    this.deps.report({
      type: 'rollout.finished',
      rollout: rollout.id,
      status: phase,
      revision: spec.next.id,
      reason,
    });
    return { status: phase, reason };
  }

  private async complete(rollout: Rollout, spec: RolloutSpec): Promise<RolloutOutcome> {
    const { platform, store } = this.deps;
    await platform.setTraffic(refOf(rollout), {
      weights: { [spec.next.id]: 100 },
      roles: { stable: spec.next.id },
    });
    const warning = contractWarning((await this.load(rollout.id)).data);
    await store.updateRollout(rollout.id, {
      phase: 'completed',
      finishedAt: this.now(),
      request: null,
      ...(warning ? { reason: warning } : {}),
    });
    await this.record('rollout.completed', rollout, { revision: spec.next.id });
    const deploy =
      spec.strategy === 'rollback'
        ? undefined
        : await deployRecordOf(platform, refOf(rollout), rollout, spec.delivery, spec.next.id, 'completed');
    await this.record(spec.stable ? 'service.upgraded' : 'service.deployed', rollout, {
      revision: spec.next.id,
      previous: spec.stable?.id ?? null,
      strategy: spec.strategy,
      ...(deploy ? { deploy } : {}),
    });
    this.deps.report({
      type: 'rollout.finished',
      rollout: rollout.id,
      status: 'completed',
      revision: spec.next.id,
      ...(warning ? { warning } : {}),
    });
    return { status: 'completed', ...(warning ? { warning } : {}) };
  }

  /** Pauses in the middle of the step; `inconclusive` marks a pause for want of data. */
  private async pause(rollout: Rollout, reason: string, inconclusive = false): Promise<void> {
    const { data } = await this.load(rollout.id);
    await this.deps.store.updateRollout(rollout.id, {
      phase: 'paused',
      request: null,
      reason,
      data: { ...data, pause: 'during', ...(inconclusive ? { inconclusivePause: true } : {}) },
    });
    this.deps.report({ type: 'rollout.paused', rollout: rollout.id, step: rollout.step, reason });
    await this.record('rollout.paused', rollout, { step: rollout.step, reason });
  }

  private now(): number {
    return this.deps.clock.now();
  }

  private async load(id: number): Promise<Rollout> {
    const rollout = await this.deps.store.getRollout(id);
    if (!rollout) throw new Error(`rollout ${id} disappeared from the store`);
    return rollout;
  }

  private async record(type: EventType, rollout: Rollout, data: Record<string, unknown>): Promise<void> {
    await this.deps.store.appendEvent({
      type,
      actor: rollout.actor,
      service: rollout.service,
      environment: rollout.environment,
      commitSha: rollout.commitSha,
      subject: `rollout/${rollout.id}`,
      data: { rollout: rollout.id, ...data },
    });
  }
}

/** True when nobody drives `rollout`: no owner, an owner process on this host that is gone, or a stale heartbeat. */
export function controllerIsGone(rollout: Pick<Rollout, 'owner' | 'heartbeatAt'>, now: number): boolean {
  return (
    !rollout.owner || leaseOwnerIsGone(rollout.owner) || (rollout.heartbeatAt ?? 0) < now - STALE_AFTER_MS
  );
}

/** The index of the first step that gives the new revision all traffic (where promote --full jumps). */
export function lastStepIndex(spec: RolloutSpec): number {
  const index = spec.steps.findIndex((s) => (s.weights[spec.next.id] ?? 0) >= 100);
  return index < 0 ? spec.steps.length : index;
}

function refOf(rollout: Rollout): ServiceRef {
  return { service: rollout.service, env: rollout.environment };
}

function sameWeights(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (Math.abs((a[key] ?? 0) - (b[key] ?? 0)) > 0.0005) return false;
  return true;
}
