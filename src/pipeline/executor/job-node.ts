/** Runs one job node: its secrets and matrix values join its environment, and each attempt is recorded. */
import type { ResolvedJob } from '../../config/resolved.js';
import type { EvalContext } from '../../expression/index.js';
import type { ArtifactManifest } from '../artifacts/artifact-store.js';
import type { PlannedJobNode } from '../plan.js';
import { type JobOutcome, type JobRunnerDeps, runJob } from './job-runner.js';
import type { LogSink } from './log-sink.js';
import type { NodeOutcome, RunRecorder } from './run-recorder.js';

/** What a job node runs with. */
export interface JobNodeDeps extends JobRunnerDeps {
  readonly clock: { now(): number };
  readonly logs: LogSink;
  /** Environment every job starts from. */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Secret values by name, for jobs that list them. */
  readonly secrets: Readonly<Record<string, string>>;
}

/** One job node to run. */
export interface JobNodeInput {
  readonly job: ResolvedJob;
  readonly context: EvalContext;
  readonly signal: AbortSignal;
  readonly upstreamArtifacts: readonly ArtifactManifest[];
}

/** Runs a job node to its outcome; an internal error fails the job, not the run. */
export async function runJobNode(
  deps: JobNodeDeps,
  recorder: RunRecorder,
  node: PlannedJobNode,
  input: JobNodeInput,
): Promise<NodeOutcome> {
  // Set again when the first process really starts (the launcher may queue the job first).
  let startedAt = deps.clock.now();
  let begun = false;
  const outcome = await runJob(deps, {
    key: node.key,
    job: input.job,
    baseEnv:
      input.job.secrets.length === 0 && !node.matrix
        ? deps.baseEnv
        : { ...deps.baseEnv, ...secretEnv(input.job, deps.secrets), ...matrixEnv(node) },
    context: input.context,
    signal: input.signal,
    upstreamArtifacts: input.upstreamArtifacts,
    previousAttempts: recorder.previousAttempts(node.key),
    openLog: (attempt) => deps.logs.attempt(node.key, attempt),
    onAttempt: (attempt) => {
      if (!begun) startedAt = deps.clock.now();
      begun = true;
      recorder.attemptStarted(node, attempt, startedAt);
    },
  }).catch(
    (error: unknown): JobOutcome => ({
      status: 'failure',
      attempts: 1,
      exitCode: null,
      outputs: {},
      message: `internal error: ${(error as Error).message}`,
    }),
  );
  return { ...outcome, startedAt };
}

function secretEnv(job: ResolvedJob, secrets: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of job.secrets) {
    const value = secrets[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function matrixEnv(node: PlannedJobNode): Record<string, string> {
  if (!node.matrix) return {};
  return Object.fromEntries(
    Object.entries(node.matrix).map(([k, v]) => [
      `SLIPWAY_MATRIX_${k.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`,
      String(v),
    ]),
  );
}
