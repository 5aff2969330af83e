/** Drives a stored run from start (or resumption) to its end: status, events, environment and scheduler. */
import type { JobRun, Run } from '../store/store.js';
import { executeRun } from './executor/execute-run.js';
import type { PipelineDeps, RunOutcome } from './pipeline-deps.js';
import { createRunEnvironment } from './run-environment.js';
import type { RunResultStatus } from './run-events.js';
import type { RunSnapshot } from './run-snapshot.js';

/** Runs every node of `run` not in `previous`, recording the run's start and end. */
export async function driveRun(
  deps: PipelineDeps,
  run: Run,
  snapshot: RunSnapshot,
  previous: ReadonlyMap<string, JobRun>,
): Promise<RunOutcome> {
  const startedAt = deps.clock.now();
  await deps.store.updateRun(run.id, {
    status: 'running',
    startedAt: run.startedAt ?? startedAt,
    pid: process.pid,
    heartbeatAt: startedAt,
  });
  await deps.store.appendEvent({
    type: 'pipelinerun.started',
    actor: deps.actor,
    runId: run.id,
    commitSha: run.commitSha,
    data: { pipeline: run.pipeline, branch: run.branch, resumed: previous.size > 0 },
  });
  const executeDeps = await createRunEnvironment(deps, run, snapshot);
  let status: RunResultStatus;
  try {
    status = await executeRun(executeDeps, { run, config: snapshot.config, plan: snapshot.plan, previous });
  } catch (error) {
    await deps.store
      .updateRun(run.id, { status: 'failure', finishedAt: deps.clock.now(), pid: null })
      .catch(() => {});
    throw error;
  } finally {
    await executeDeps.processes.close();
  }
  await deps.store.updateRun(run.id, { status, finishedAt: deps.clock.now(), pid: null });
  await deps.store.appendEvent({
    type: 'pipelinerun.finished',
    actor: deps.actor,
    runId: run.id,
    commitSha: run.commitSha,
    data: { status, durationMs: deps.clock.now() - startedAt, pipeline: run.pipeline },
  });
  return { runId: run.id, status };
}
