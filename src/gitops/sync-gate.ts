/**
 * The approval gate of a sync into an environment behind `approval: manual_approval`: as a
 * pipeline's deploy does, a sync waits for `slipway approve RUN ENV` (or the API, or the
 * dashboard). The gate is a run of its own (`pipeline: gitops`, `trigger: gitops`, one job that
 * waits), so every way of seeing and deciding approvals works on it unchanged; its concurrency
 * group `gitops/<service>/<env>` finds it again. Passes do not block on it: each pass looks at the
 * gate of the revision it wants and goes on when it is approved.
 *
 * - A new desired revision cancels the gate of the one it replaces.
 * - A rejected or cancelled gate is not asked again for the same revision until a new commit or a
 *   forced sync, as a sync that ended rolled back is not retried.
 * - A heal back to a revision approved before needs no new approval: it restores what was approved.
 */
import type { Run, Store } from '../store/store.js';

/** What the gate of one sync says. */
export type GateState =
  | { readonly status: 'approved'; readonly run: number }
  | { readonly status: 'pending'; readonly run: number }
  | {
      readonly status: 'rejected';
      readonly run: number;
      readonly by: string;
      /** This pass found the decision (the gate's run ended now). */
      readonly fresh: boolean;
    };

/** The sync a gate is for. */
export interface GatedSync {
  readonly service: string;
  readonly env: string;
  readonly revision: string;
  readonly commit: string;
  readonly branch: string;
  readonly subject: string;
  /** `heal` restores a revision: one approved before lets it through. */
  readonly action: 'sync' | 'heal';
  /** A forced sync asks again where the revision's gate was rejected or cancelled. */
  readonly force: boolean;
}

/** What a gate run stores about its sync (in the run's `plan`). */
interface GatePlan {
  readonly gitops: { readonly service: string; readonly env: string; readonly revision: string };
}

/** The job a gate run shows while it waits. */
const jobKey = (service: string) => `sync/${service}`;
const groupOf = (service: string, env: string) => `gitops/${service}/${env}`;

function revisionOf(run: Run): string | undefined {
  const plan = run.plan as Partial<GatePlan> | null;
  return plan?.gitops?.revision;
}

/**
 * Where the sync's gate stands, opening it when there is none (or none that counts). Gates of
 * other revisions still waiting are cancelled.
 */
export async function syncGate(
  store: Store,
  sync: GatedSync,
  actor: string,
  now: number,
): Promise<GateState> {
  const runs = await store.listRuns({ concurrencyGroup: groupOf(sync.service, sync.env), limit: 20 });
  for (const run of runs)
    if (run.status === 'waiting' && revisionOf(run) !== sync.revision)
      await endGate(store, run.id, 'cancelled', now);
  const mine = runs.find((run) => revisionOf(run) === sync.revision);
  if (mine) {
    const approval = await store.getApproval(mine.id, sync.env);
    if (approval?.status === 'pending' && mine.status === 'waiting')
      return { status: 'pending', run: mine.id };
    if (approval?.status === 'approved' && (mine.status === 'waiting' || mine.status === 'running'))
      return { status: 'approved', run: mine.id };
    const refused = approval?.status === 'rejected' || mine.status === 'cancelled';
    if (refused && !sync.force) {
      const fresh = mine.status === 'waiting';
      if (fresh) await endGate(store, mine.id, 'failure', now);
      return { status: 'rejected', run: mine.id, by: approval?.decidedBy ?? 'cancelled', fresh };
    }
    // Approved and applied before: a heal restores it; a new sync of it (forced) asks again.
    if (approval?.status === 'approved' && sync.action === 'heal' && !refused)
      return { status: 'approved', run: mine.id };
  }
  return { status: 'pending', run: await openGate(store, sync, actor) };
}

/** Records how the sync behind an approved gate ended. */
export async function endGate(
  store: Store,
  run: number,
  status: 'success' | 'failure' | 'cancelled',
  now: number,
): Promise<void> {
  await store.transaction(async (tx) => {
    const stored = await tx.getRun(run);
    const plan = stored?.plan as Partial<GatePlan> | null;
    if (plan?.gitops) {
      const job = status === 'success' ? 'success' : status === 'failure' ? 'failure' : 'cancelled';
      await tx.upsertJobRun(run, jobKey(plan.gitops.service), { status: job, finishedAt: now });
    }
    await tx.updateRun(run, { status, finishedAt: now });
  });
}

/** Marks an approved gate's sync as running. */
export async function startGate(store: Store, run: number, now: number): Promise<void> {
  const stored = await store.getRun(run);
  if (stored?.status !== 'waiting') return;
  const plan = stored.plan as Partial<GatePlan> | null;
  await store.transaction(async (tx) => {
    if (plan?.gitops)
      await tx.upsertJobRun(run, jobKey(plan.gitops.service), { status: 'running', startedAt: now });
    await tx.updateRun(run, { status: 'running', startedAt: now });
  });
}

async function openGate(store: Store, sync: GatedSync, actor: string): Promise<number> {
  const plan: GatePlan = { gitops: { service: sync.service, env: sync.env, revision: sync.revision } };
  return store.transaction(async (tx) => {
    const run = await tx.createRun({
      pipeline: 'gitops',
      actor,
      trigger: 'gitops',
      status: 'waiting',
      commitSha: sync.commit,
      branch: sync.branch,
      concurrencyGroup: groupOf(sync.service, sync.env),
      plan,
    });
    await tx.upsertJobRun(run.id, jobKey(sync.service), { stage: sync.env, status: 'waiting' });
    await tx.requestApproval(run.id, sync.env);
    await tx.appendEvent({
      type: 'approval.requested',
      actor,
      runId: run.id,
      environment: sync.env,
      service: sync.service,
      commitSha: sync.commit,
      subject: `gitops/${sync.service}/${sync.env}`,
      data: { revision: sync.revision, subject: sync.subject, action: sync.action },
    });
    return run.id;
  });
}
