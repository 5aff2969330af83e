/** `slipway runs` and `slipway logs`: read what runs did, from the store. */

import { getRunOrThrow } from '../../pipeline/pipeline-service.js';
import { humanDuration } from '../../pipeline/report/plain-reporter.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { openProjectStore, parseRunId, projectDirOf } from '../project.js';

/** Lists recent runs, newest first. */
export async function runsCommand(ctx: CommandContext, options: { limit?: string }): Promise<number> {
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a positive integer, got '${options.limit}'`);
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const runs = await store.listRuns({ limit });
    if (ctx.output.json) {
      ctx.output.data(runs.map(({ plan: _plan, ...run }) => run));
      return ExitCode.Ok;
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
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    await getRunOrThrow(store, id);
    if (job !== undefined) {
      const jobs = await store.listJobRuns(id);
      if (!jobs.some((j) => j.jobKey === job)) {
        throw new UsageError(
          `run ${id} has no job '${job}' (its jobs: ${jobs.map((j) => j.jobKey).join(', ') || 'none yet'})`,
        );
      }
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
        if (ctx.output.json) ctx.output.data(line);
        else ctx.output.line(job !== undefined ? line.text : `${line.jobKey} | ${line.text}`);
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
