/** Turns the server's stored events of a run into the RunEvents the CLI's reporters render. */
import type { JobResultStatus, RunEvent, RunResultStatus } from '../../pipeline/run-events.js';
import type { StoredEvent } from '../../store/store.js';

const JOB_STATUSES: ReadonlySet<string> = new Set([
  'success',
  'failure',
  'skipped',
  'cancelled',
  'timed_out',
]);
const RUN_STATUSES: ReadonlySet<string> = new Set(['success', 'failure', 'cancelled', 'waiting']);

const num = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);

/**
 * The RunEvent a stored event stands for, or undefined for events a reporter does not show.
 * `run.started` lists job keys only when the server recorded them (`data.jobKeys`); otherwise
 * its `jobs` is empty and `data.jobs` (a count) is all that is known.
 */
export function toRunEvent(event: StoredEvent): RunEvent | undefined {
  const { data } = event;
  const run = event.runId ?? 0;
  switch (event.type) {
    case 'pipelinerun.started':
      return {
        type: 'run.started',
        run,
        pipeline: typeof data.pipeline === 'string' ? data.pipeline : '',
        jobs: Array.isArray(data.jobKeys)
          ? data.jobKeys.filter((k): k is string => typeof k === 'string')
          : [],
      };
    case 'taskrun.started':
      return { type: 'job.started', job: event.subject ?? '', attempt: 1 };
    case 'taskrun.finished':
      return {
        type: 'job.finished',
        job: event.subject ?? '',
        status: (JOB_STATUSES.has(String(data.status)) ? data.status : 'failure') as JobResultStatus,
        attempts: num(data.attempts, 1),
        exitCode: typeof data.exitCode === 'number' ? data.exitCode : null,
        durationMs: num(data.durationMs, 0),
      };
    case 'approval.requested':
      return {
        type: 'approval.waiting',
        run,
        environment: event.environment ?? '',
        command: `slipway approve ${run} ${event.environment ?? ''}`,
      };
    case 'approval.granted':
    case 'approval.rejected':
      // One approval of a gate that needs several does not decide it yet.
      if (event.type === 'approval.granted' && num(data.approvals, 0) < num(data.required, 0))
        return undefined;
      return {
        type: 'approval.decided',
        run,
        environment: event.environment ?? '',
        decision: event.type === 'approval.granted' ? 'approved' : 'rejected',
        by: event.actor,
      };
    case 'pipelinerun.finished':
      return {
        type: 'run.finished',
        run,
        status: (RUN_STATUSES.has(String(data.status)) ? data.status : 'failure') as RunResultStatus,
        durationMs: num(data.durationMs, 0),
      };
    default:
      return undefined;
  }
}
