/** `slipway run`, `resume` and `rerun`: execute a pipeline with a live, plain or JSON view. */

import { availableParallelism } from 'node:os';
import { type GitInfo, readGitInfoAsync } from '../../pipeline/git-info.js';
import type { PipelineDeps, RunOutcome } from '../../pipeline/pipeline-deps.js';
import { rerunRun } from '../../pipeline/rerun-run.js';
import { resumeRun } from '../../pipeline/resume-run.js';
import type { Reporter } from '../../pipeline/run-events.js';
import { startRun } from '../../pipeline/start-run.js';
import { systemClock } from '../../rollout/rollout-clock.js';
import type { Store } from '../../store/store.js';
import { agentCommand } from '../agent-command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, loadProject, openProjectStore, parseRunId, projectDirOf } from '../project.js';
import type { ApiClient } from '../remote/api-client.js';
import { refuseRemoteFlag, remoteClient } from '../remote/remote-context.js';
import { jsonReporter } from '../report/json-reporter.js';
import { liveReporter } from '../report/live-reporter.js';
import { plainReporter } from '../report/plain-reporter.js';
import { tuneHeapForRunner } from '../runner-heap.js';

const clock = systemClock();

/** Options of `slipway run`. */
export interface RunOptions {
  readonly job?: string;
  readonly stage?: string;
  readonly concurrency?: string;
}

/** Which reporter renders a run: NDJSON, the live table on a colour TTY, or plain lines. */
function reporterKind(ctx: CommandContext): 'json' | 'live' | 'plain' {
  if (ctx.output.json) return 'json';
  const noColor = (ctx.io.env.NO_COLOR ?? '') !== '';
  return ctx.output.interactive && !noColor ? 'live' : 'plain';
}

function reporterFor(ctx: CommandContext): Reporter {
  const kind = reporterKind(ctx);
  if (kind === 'json') return jsonReporter(ctx.output);
  return kind === 'live' ? liveReporter(ctx.output, clock) : plainReporter(ctx.output, clock);
}

/** After a run that did not succeed: where its logs are and how to retry; then the exit code of its status. */
function endOfRun(ctx: CommandContext, runId: number, status: string): number {
  if (!ctx.output.json && status !== 'success') {
    ctx.output.line(
      `run ${runId} ${status}: \`slipway logs ${runId}\` shows its logs${status === 'failure' ? `, \`slipway rerun ${runId} --failed\` retries the failed jobs` : ''}`,
    );
  }
  return status === 'success' ? ExitCode.Ok : status === 'cancelled' ? ExitCode.Interrupted : ExitCode.Failed;
}

/** Starts a run on the server (POST `path`), then follows it to its end like a local run. */
async function remoteRun(
  ctx: CommandContext,
  client: ApiClient,
  path: string,
  body: object,
): Promise<number> {
  const { body: accepted } = await client.post<{ runId: number }>(path, body);
  const { followRemoteRun } = await import('../remote/remote-run.js');
  const run = await followRemoteRun(
    ctx,
    client,
    accepted.runId,
    reporterFor(ctx),
    reporterKind(ctx) === 'plain',
  );
  return endOfRun(ctx, run.id, run.status);
}

function concurrencyOf(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--concurrency must be a positive integer, got '${text}'`);
  return n;
}

// Runs `work` with Ctrl-C wired to cancellation; a second Ctrl-C exits at once. `git` is read
// while the store opens unless the caller started reading it earlier.
async function withRuntime(
  ctx: CommandContext,
  projectDir: string,
  concurrency: number,
  work: (deps: PipelineDeps) => Promise<RunOutcome>,
  git: Promise<GitInfo> = readGitInfoAsync(projectDir),
): Promise<number> {
  tuneHeapForRunner();
  const store: Store = await openProjectStore(ctx, projectDir);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(ExitCode.Interrupted);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const reporter = reporterFor(ctx);
  try {
    const outcome = await work({
      store,
      clock,
      reporter,
      env: ctx.io.env,
      actor: actorOf(ctx),
      concurrency,
      signal: controller.signal,
      git: await git,
      slipwayCommand: agentCommand(),
    });
    reporter.close();
    return endOfRun(ctx, outcome.runId, outcome.status);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
  }
}

/** Runs the pipeline (or one job and what it needs, or one stage). */
export async function runCommand(ctx: CommandContext, options: RunOptions): Promise<number> {
  if (options.job !== undefined && options.stage !== undefined)
    throw new UsageError('use either --job or --stage, not both');
  const client = remoteClient(ctx);
  if (client) {
    refuseRemoteFlag(ctx, options.concurrency !== undefined, '--concurrency', 'the server sets it');
    return remoteRun(ctx, client, '/api/v1/runs', {
      ...(options.job ? { job: options.job } : {}),
      ...(options.stage ? { stage: options.stage } : {}),
    });
  }
  // Before the config loads: that is where a big pipeline's memory peaks first.
  tuneHeapForRunner();
  // git runs while the config loads and the store opens.
  const git = readGitInfoAsync(projectDirOf(ctx));
  const project = await loadProject(ctx);
  const concurrency = concurrencyOf(options.concurrency);
  const selection = {
    ...(options.job ? { job: options.job } : {}),
    ...(options.stage ? { stage: options.stage } : {}),
  };
  if (options.job && !(options.job in project.config.jobs))
    throw new UsageError(`no job '${options.job}' in ${project.file}`);
  if (options.stage && !project.config.stages.some((s) => s.name === options.stage)) {
    throw new UsageError(`no stage '${options.stage}' in ${project.file}`);
  }
  return withRuntime(
    ctx,
    project.projectDir,
    concurrency,
    (deps) => startRun(deps, { projectDir: project.projectDir, config: project.config, selection }),
    git,
  );
}

/** Continues a run whose process was killed. */
export function resumeCommand(
  ctx: CommandContext,
  runArg: string | undefined,
  options: { concurrency?: string },
): Promise<number> {
  const id = parseRunId(runArg);
  return withRuntime(ctx, projectDirOf(ctx), concurrencyOf(options.concurrency), (deps) =>
    resumeRun(deps, id),
  );
}

/** Runs a finished run again, or only its failed jobs and their dependents. */
export function rerunCommand(
  ctx: CommandContext,
  runArg: string | undefined,
  options: { failed?: boolean; concurrency?: string },
): Promise<number> {
  const id = parseRunId(runArg);
  const client = remoteClient(ctx);
  if (client) {
    refuseRemoteFlag(ctx, options.concurrency !== undefined, '--concurrency', 'the server sets it');
    return remoteRun(ctx, client, `/api/v1/runs/${id}/rerun`, { failed: options.failed === true });
  }
  return withRuntime(ctx, projectDirOf(ctx), concurrencyOf(options.concurrency), (deps) =>
    rerunRun(deps, id, options.failed === true),
  );
}
