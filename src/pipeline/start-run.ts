/**
 * Starting a run: plan the pipeline, store the run with its frozen config and plan, wait for
 * its concurrency group (or cancel older runs of it), then drive it to the end.
 */
import type { ResolvedConfig } from '../config/resolved.js';
import { interpolate } from '../expression/index.js';
import { leaseOwnerId } from '../store/lease-owner.js';
import type { Run } from '../store/store.js';
import { abortableSleep } from './abortable-sleep.js';
import { driveRun } from './drive-run.js';
import type { PipelineDeps, RunOutcome } from './pipeline-deps.js';
import { type PlanSelection, planPipeline } from './plan.js';
import type { RunSnapshot } from './run-snapshot.js';
import { ACTIVE_STATUSES, runProcessAlive } from './stored-run.js';
import { underLease } from './under-lease.js';

/** Starts a new run of the pipeline in `projectDir` and runs it to the end. */
export async function startRun(
  deps: PipelineDeps,
  input: { projectDir: string; config: ResolvedConfig; selection?: PlanSelection; trigger?: string },
): Promise<RunOutcome> {
  const selection = input.selection ?? {};
  const plan = planPipeline(input.config, selection);
  const snapshot: RunSnapshot = {
    version: 1,
    projectDir: input.projectDir,
    config: input.config,
    selection,
    plan,
  };
  const group = input.config.concurrency
    ? interpolate(input.config.concurrency.group, { contexts: { git: deps.git, env: deps.env } })
    : null;
  const run = await deps.store.createRun({
    pipeline: input.config.project.name,
    actor: deps.actor,
    trigger: input.trigger ?? 'cli',
    status: group ? 'queued' : 'running',
    commitSha: deps.git.sha,
    branch: deps.git.branch,
    concurrencyGroup: group,
    plan: snapshot,
    pid: process.pid,
    owner: deps.owner ?? leaseOwnerId(),
  });
  return underLease(deps, run, async (deps) => {
    await deps.store.appendEvent({
      type: 'pipelinerun.queued',
      actor: deps.actor,
      runId: run.id,
      commitSha: run.commitSha,
      data: { pipeline: run.pipeline, branch: run.branch, jobs: plan.nodes.length },
    });
    if (group) {
      const proceed = await waitForGroup(deps, run, group, input.config.concurrency!.cancelInProgress);
      if (!proceed) return finishCancelled(deps, run);
    }
    return driveRun(deps, run, snapshot, new Map());
  });
}

// Waits until no older active run of the group remains (cancelling them when asked); false when cancelled meanwhile.
async function waitForGroup(
  deps: PipelineDeps,
  run: Run,
  group: string,
  cancelInProgress: boolean,
): Promise<boolean> {
  const signalled = new Set<number>();
  const pollMs = deps.pollMs ?? 250;
  while (!deps.signal.aborted) {
    const older = (await deps.store.listRuns({ concurrencyGroup: group, status: ACTIVE_STATUSES })).filter(
      (r) => r.id < run.id && runProcessAlive(r.pid),
    );
    if (older.length === 0) return true;
    if (cancelInProgress) {
      for (const r of older) {
        if (signalled.has(r.id) || r.pid === null) continue;
        signalled.add(r.id);
        try {
          process.kill(r.pid, 'SIGINT');
        } catch {
          // already gone
        }
      }
    }
    await abortableSleep(pollMs, deps.signal);
  }
  return false;
}

async function finishCancelled(deps: PipelineDeps, run: Run): Promise<RunOutcome> {
  await deps.store.updateRun(run.id, { status: 'cancelled', finishedAt: deps.clock.now() });
  await deps.store.appendEvent({
    type: 'pipelinerun.finished',
    actor: deps.actor,
    runId: run.id,
    commitSha: run.commitSha,
    data: { status: 'cancelled' },
  });
  deps.reporter.report({ type: 'run.finished', run: run.id, status: 'cancelled', durationMs: 0 });
  return { runId: run.id, status: 'cancelled' };
}
