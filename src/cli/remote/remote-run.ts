/** `slipway run` and `rerun` against a server: start the run there, then render it like a local one. */
import type { Reporter } from '../../pipeline/run-events.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ApiClient } from './api-client.js';
import { toRunEvent } from './run-event-map.js';
import { type ApiRun, followRun } from './run-follower.js';

/**
 * Follows run `runId` with `reporter` until it ends and returns the finished run. Ctrl-C asks the
 * server to cancel it (its always() jobs still run) and keeps following; a second Ctrl-C leaves at once.
 * `plainStart` says whether the reporter prints `run.started` as a line that needs the job count.
 */
export async function followRemoteRun(
  ctx: CommandContext,
  client: ApiClient,
  runId: number,
  reporter: Reporter,
  plainStart: boolean,
): Promise<ApiRun> {
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(ExitCode.Interrupted);
    ctx.output.error(`slipway: asking ${client.url} to cancel run ${runId} (Ctrl-C again to stop following)`);
    client.post(`/api/v1/runs/${runId}/cancel`).catch((error: unknown) => {
      ctx.output.error(`slipway: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let finished = false;
  let jobCount: number | undefined;
  try {
    const run = await followRun(
      client,
      runId,
      {
        onEvent(event) {
          if (event.type === 'pipelinerun.queued' && typeof event.data.jobs === 'number')
            jobCount = event.data.jobs;
          const mapped = toRunEvent(event);
          if (!mapped) return;
          if (mapped.type === 'run.finished') finished = true;
          // The server records the job count, not the keys: a plain line says what is known.
          if (mapped.type === 'run.started' && mapped.jobs.length === 0 && plainStart) {
            const count = jobCount === undefined ? '' : ` (${jobCount} jobs)`;
            const stamp = new Date().toISOString().slice(11, 23);
            ctx.output.line(`${stamp} run ${runId} started on ${client.url}: ${mapped.pipeline}${count}`);
            return;
          }
          reporter.report(mapped);
        },
        onLog(line) {
          reporter.report({ type: 'job.log', job: line.jobKey, stream: line.stream, text: line.text });
        },
      },
      { logsAfterStart: true },
    );
    if (!finished && run.status !== 'queued' && run.status !== 'running') {
      const took = run.finishedAt !== null && run.startedAt !== null ? run.finishedAt - run.startedAt : 0;
      reporter.report({
        type: 'run.finished',
        run: runId,
        status: run.status === 'success' || run.status === 'cancelled' ? run.status : 'failure',
        durationMs: took,
      });
    }
    return run;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    reporter.close();
  }
}
