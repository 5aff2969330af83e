/** Re-running a run: a new run with the same frozen config; with `--failed`, the jobs that succeeded are lent to it. */
import { leaseOwnerId } from '../store/lease-owner.js';
import type { JobRun } from '../store/store.js';
import { driveRun } from './drive-run.js';
import { PipelineError } from './errors.js';
import type { PipelineDeps, RunOutcome } from './pipeline-deps.js';
import type { PipelinePlan } from './plan.js';
import { readSnapshot } from './run-snapshot.js';
import { getRunOrThrow } from './stored-run.js';
import { underLease } from './under-lease.js';

/** Starts a new run with the same frozen config; with `failedOnly`, reuses the jobs that succeeded. */
export async function rerunRun(deps: PipelineDeps, runId: number, failedOnly: boolean): Promise<RunOutcome> {
  const old = await getRunOrThrow(deps.store, runId);
  const snapshot = readSnapshot(old.plan);
  if (!snapshot) throw new PipelineError('RUN_NOT_RESUMABLE', `run ${runId} has no stored plan to re-run`);
  const oldJobs = new Map((await deps.store.listJobRuns(runId)).map((j) => [j.jobKey, j]));
  const run = await deps.store.createRun({
    pipeline: old.pipeline,
    actor: deps.actor,
    trigger: `rerun:${runId}`,
    status: 'running',
    commitSha: old.commitSha,
    branch: old.branch,
    concurrencyGroup: old.concurrencyGroup,
    plan: snapshot,
    pid: process.pid,
    owner: deps.owner ?? leaseOwnerId(),
  });
  return underLease(deps, run, async (deps) => {
    const previous = new Map<string, JobRun>();
    if (failedOnly) {
      const failed = new Set(
        snapshot.plan.nodes.filter((n) => oldJobs.get(n.key)?.status !== 'success').map((n) => n.key),
      );
      const again = descendants(snapshot.plan, failed);
      for (const node of snapshot.plan.nodes) {
        const prev = oldJobs.get(node.key);
        if (again.has(node.key) || !prev) continue;
        const reused = await deps.store.upsertJobRun(run.id, node.key, {
          stage: prev.stage,
          status: prev.status,
          attempts: prev.attempts,
          exitCode: prev.exitCode,
          startedAt: prev.startedAt,
          finishedAt: prev.finishedAt,
          outputs: prev.outputs,
          matrix: prev.matrix,
          message: `reused from run ${runId}`,
        });
        previous.set(node.key, { ...reused, attempts: 0 });
      }
    }
    return driveRun(deps, run, snapshot, previous);
  });
}

/** Nodes that depend, directly or through stage order, on any of `keys`. */
function descendants(plan: PipelinePlan, keys: ReadonlySet<string>): Set<string> {
  const out = new Set(keys);
  let minStage = Number.POSITIVE_INFINITY;
  for (const node of plan.nodes) {
    if (out.has(node.key)) minStage = Math.min(minStage, node.stageIndex);
    else if (node.needs.some((k) => out.has(k)) || node.stageIndex > minStage) out.add(node.key);
  }
  return out;
}
