/** `slipway runs` and `slipway logs`: read what runs did, from the store or a server. */

import { getRunOrThrow } from '../../pipeline/stored-run.js';
import type { LogLine, Run } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { openProjectStore, parseRunId, projectDirOf } from '../project.js';
import type { ApiClient } from '../remote/api-client.js';
import { remoteClient } from '../remote/remote-context.js';
import { humanDuration } from '../report/plain-reporter.js';

/** What a run line shows; the JSON output is the run as given (the store's without its plan, or the API's). */
type ListedRun = Pick<
  Run,
  'id' | 'status' | 'createdAt' | 'startedAt' | 'finishedAt' | 'commitSha' | 'pipeline' | 'branch' | 'trigger'
>;

/** Prints runs, newest first: one line each, or one JSON array. */
function printRuns(ctx: CommandContext, runs: readonly ListedRun[]): void {
  if (ctx.output.json) {
    ctx.output.data(runs);
    return;
  }
  if (runs.length === 0) ctx.output.line('no runs yet: `slipway run` starts one');
  for (const run of runs) {
    const end = run.finishedAt ?? Date.now();
    const took = run.startedAt ? humanDuration(end - run.startedAt) : '-';
    const when = new Date(run.createdAt).toISOString().replace('T', ' ').slice(0, 19);
    const sha = run.commitSha ? run.commitSha.slice(0, 8) : '-';
    ctx.output.line(
      `${String(run.id).padStart(5)}  ${run.status.padEnd(9)}  ${when}  ${took.padStart(7)}  ${run.pipeline}  ${run.branch ?? '-'}@${sha}  ${run.trigger}`,
    );
  }
}

/** Prints one log line: the stored line as JSON, the text alone for one job, else `job | text`. */
function printLogLine(ctx: CommandContext, line: LogLine, oneJob: boolean): void {
  if (ctx.output.json) ctx.output.data(line);
  else ctx.output.line(oneJob ? line.text : `${line.jobKey} | ${line.text}`);
}

/** The `run N has no job X` usage error, naming the jobs it has. */
function noSuchJob(id: number, job: string, jobs: readonly { jobKey: string }[]): UsageError {
  return new UsageError(
    `run ${id} has no job '${job}' (its jobs: ${jobs.map((j) => j.jobKey).join(', ') || 'none yet'})`,
  );
}

/** Lists recent runs, newest first. */
export async function runsCommand(ctx: CommandContext, options: { limit?: string }): Promise<number> {
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a positive integer, got '${options.limit}'`);
  const client = remoteClient(ctx);
  if (client) {
    const { runs } = await client.get<{ runs: ListedRun[] }>('/api/v1/runs', {
      limit: Math.min(limit, 1000),
    });
    printRuns(ctx, runs);
    return ExitCode.Ok;
  }
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const runs = await store.listRuns({ limit });
    printRuns(
      ctx,
      runs.map(({ plan: _plan, ...run }) => run),
    );
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Prints a run's stored (masked) logs, optionally one job's, optionally following new lines. */
export async function logsCommand(
  ctx: CommandContext,
  runArg: string | undefined,
  job: string | undefined,
  options: { follow?: boolean },
): Promise<number> {
  const id = parseRunId(runArg);
  const client = remoteClient(ctx);
  if (client) return remoteLogs(ctx, client, id, job, options.follow === true);
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    await getRunOrThrow(store, id);
    if (job !== undefined) {
      const jobs = await store.listJobRuns(id);
      if (!jobs.some((j) => j.jobKey === job)) throw noSuchJob(id, job, jobs);
    }
    let afterId = 0;
    for (;;) {
      const lines = await store.readLogs(id, {
        ...(job !== undefined ? { jobKey: job } : {}),
        afterId,
        limit: 5000,
      });
      for (const line of lines) {
        afterId = line.id;
        printLogLine(ctx, line, job !== undefined);
      }
      if (lines.length === 5000) continue;
      if (!options.follow) break;
      const run = await store.getRun(id);
      if (run && !['queued', 'running', 'waiting'].includes(run.status)) {
        const rest = await store.readLogs(id, { ...(job !== undefined ? { jobKey: job } : {}), afterId });
        if (rest.length === 0) break;
        continue;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

// The server's logs: one pass over the pages, or with --follow until the run ends (its event
// stream wakes the follower, the log endpoint is paged by id).
async function remoteLogs(
  ctx: CommandContext,
  client: ApiClient,
  id: number,
  job: string | undefined,
  follow: boolean,
): Promise<number> {
  const { jobs } = await client.get<{ jobs: { jobKey: string }[] }>(`/api/v1/runs/${id}`);
  if (job !== undefined && !jobs.some((j) => j.jobKey === job)) throw noSuchJob(id, job, jobs);
  const { followRun, readRunLogs } = await import('../remote/run-follower.js');
  if (!follow) {
    for (const line of await readRunLogs(client, id, 0, job)) printLogLine(ctx, line, job !== undefined);
    return ExitCode.Ok;
  }
  await followRun(
    client,
    id,
    { onLog: (line) => printLogLine(ctx, line, job !== undefined) },
    job === undefined ? {} : { job },
  );
  return ExitCode.Ok;
}
