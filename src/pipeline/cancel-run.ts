/** Cancelling a run: signal the process driving it, or mark it cancelled when that process is gone. */
import type { Store } from '../store/store.js';
import { PipelineError } from './errors.js';
import { getRunOrThrow, isActive, runProcessAlive } from './stored-run.js';

/** Asks the process running a run to cancel it; marks an orphaned run cancelled directly. */
export async function cancelRun(
  store: Store,
  clock: { now(): number },
  actor: string,
  runId: number,
): Promise<'signalled' | 'marked'> {
  const run = await getRunOrThrow(store, runId);
  if (!isActive(run))
    throw new PipelineError('RUN_FINISHED', `run ${runId} already finished (${run.status})`);
  if (run.pid !== null && runProcessAlive(run.pid)) {
    process.kill(run.pid, 'SIGINT');
    return 'signalled';
  }
  for (const job of await store.listJobRuns(runId)) {
    if (['pending', 'running', 'waiting'].includes(job.status)) {
      await store.upsertJobRun(runId, job.jobKey, {
        status: 'cancelled',
        finishedAt: clock.now(),
        message: 'cancelled',
      });
    }
  }
  await store.updateRun(runId, { status: 'cancelled', finishedAt: clock.now(), pid: null });
  await store.appendEvent({
    type: 'pipelinerun.finished',
    actor,
    runId,
    commitSha: run.commitSha,
    data: { status: 'cancelled' },
  });
  return 'marked';
}
