/** Resuming a run whose process died: finished jobs are kept, what the dead runner left running is stopped, the rest runs again. */
import { killProcessGroup } from '../process/process-group.js';
import { driveRun } from './drive-run.js';
import { PipelineError } from './errors.js';
import { readProcessJournal } from './executor/process-journal.js';
import type { PipelineDeps, RunOutcome } from './pipeline-deps.js';
import { runDirOf } from './run-environment.js';
import { readSnapshot } from './run-snapshot.js';
import { getRunOrThrow, isActive, runProcessAlive } from './stored-run.js';
import { underLease } from './under-lease.js';

const FINAL = ['success', 'failure', 'skipped', 'cancelled', 'timed_out'];

/** Continues a run whose process died: finished jobs are kept, the rest run again. */
export async function resumeRun(deps: PipelineDeps, runId: number): Promise<RunOutcome> {
  const run = await getRunOrThrow(deps.store, runId);
  if (!isActive(run)) {
    throw new PipelineError(
      'RUN_FINISHED',
      `run ${runId} already finished (${run.status}); use \`slipway rerun ${runId}\``,
    );
  }
  // Runs from before leases name only a pid; leased runs are checked by their lease below.
  if (run.owner === null && run.pid !== null && run.pid !== process.pid && runProcessAlive(run.pid)) {
    throw new PipelineError('RUN_ACTIVE', `run ${runId} is still running in process ${run.pid}`);
  }
  const snapshot = readSnapshot(run.plan);
  if (!snapshot)
    throw new PipelineError('RUN_NOT_RESUMABLE', `run ${runId} has no stored plan to resume from`);
  const previous = new Map((await deps.store.listJobRuns(runId)).map((j) => [j.jobKey, j]));
  const runDir = runDirOf(snapshot.projectDir, runId);
  return underLease(
    deps,
    run,
    async (deps) => {
      // Jobs the killed runner left running are stopped before they run again.
      for (const [jobKey, pgid] of readProcessJournal(runDir)) {
        const status = previous.get(jobKey)?.status;
        if (status === undefined || !FINAL.includes(status))
          await killProcessGroup(pgid, deps.graceMs ?? 5000);
      }
      return driveRun(deps, run, snapshot, previous);
    },
    true,
  );
}
