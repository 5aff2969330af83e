/**
 * Runs one job node: its attempts (with retry and back-off), its steps in order under one
 * timeout, its outputs file, and its cache and artifacts. Returns a result, never throws for
 * anything the job itself did.
 */

import { join, resolve } from 'node:path';
import type { ResolvedJob } from '../../config/resolved.js';
import { type EvalContext, interpolate } from '../../expression/index.js';
import type { ArtifactManifest, ArtifactStore } from '../artifacts/artifact-store.js';
import type { CacheStore } from '../cache/cache-store.js';
import { type FindingsGateDeps, gateJobFindings } from '../findings/job-findings.js';
import { parseOutputsFile } from '../outputs/outputs-file.js';
import type { OutputFileResult, ProcessResult } from '../process/process-result.js';
import type { ProcessRunner } from '../process/process-runner.js';
import type { AttemptLog } from './log-sink.js';
import type { ProcessJournal } from './process-journal.js';

/** What a finished job reports. */
export interface JobOutcome {
  readonly status: 'success' | 'failure' | 'timed_out' | 'cancelled';
  readonly attempts: number;
  readonly exitCode: number | null;
  readonly outputs: Readonly<Record<string, string>>;
  readonly artifacts?: ArtifactManifest;
  readonly message?: string;
}

/** Everything a job run needs from its surroundings. */
export interface JobRunnerDeps {
  readonly projectDir: string;
  readonly runDir: string;
  readonly cache: CacheStore;
  readonly artifacts: ArtifactStore;
  readonly graceMs: number;
  /** Masks secret values in text that is stored or shown (outputs included). */
  readonly mask: (text: string) => string;
  /** Where each started job process is recorded, for resume. */
  readonly journal: ProcessJournal;
  /** Starts job commands (the launcher, or direct spawns). */
  readonly processes: ProcessRunner;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How jobs with `findings:` are gated; absent where runs record no findings. */
  readonly findings?: FindingsGateDeps;
}

/** One job to run. */
export interface JobRunInput {
  readonly key: string;
  readonly job: ResolvedJob;
  /** Environment the job starts from (runner env plus its secrets). */
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly context: EvalContext;
  readonly signal: AbortSignal;
  /** Artifacts of the jobs it needs, materialized before it starts. */
  readonly upstreamArtifacts: readonly ArtifactManifest[];
  /** Attempts already made (when resuming). */
  readonly previousAttempts: number;
  readonly openLog: (attempt: number) => AttemptLog;
  readonly onAttempt: (attempt: number) => void;
}

/** Runs a job to its final outcome. */
export async function runJob(deps: JobRunnerDeps, input: JobRunInput): Promise<JobOutcome> {
  const { job } = input;
  const cwd = resolve(deps.projectDir, job.workdir ?? '.');
  const setupLog = input.openLog(input.previousAttempts + 1);
  const fail = (message: string): JobOutcome => {
    setupLog.system(message);
    setupLog.end();
    return { status: 'failure', attempts: input.previousAttempts + 1, exitCode: null, outputs: {}, message };
  };
  let env: Readonly<Record<string, string>>;
  let commands: { name: string; run: string }[];
  let cacheKey: string | undefined;
  let restoreKeys: string[] = [];
  try {
    for (const manifest of input.upstreamArtifacts)
      await deps.artifacts.materialize(manifest, deps.projectDir);
    // Nothing below changes env: a job without env of its own shares the runner's.
    const entries = Object.entries(job.env);
    env =
      entries.length === 0
        ? input.baseEnv
        : {
            ...input.baseEnv,
            ...Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v, input.context)])),
          };
    const context = { ...input.context, contexts: { ...input.context.contexts, env } };
    commands = (job.steps ?? [{ name: job.id, run: job.run ?? '' }]).map((s) => ({
      name: s.name,
      run: interpolate(s.run, context),
    }));
    if (job.cache) {
      cacheKey = interpolate(job.cache.key, context);
      restoreKeys = job.cache.restoreKeys.map((k) => interpolate(k, context));
    }
  } catch (error) {
    return fail(`cannot prepare the job: ${(error as Error).message}`);
  }
  if (job.cache && cacheKey !== undefined) {
    try {
      const restored = await deps.cache.restore(cacheKey, restoreKeys, job.cache.paths, cwd);
      setupLog.system(
        restored.status === 'hit'
          ? `cache hit: ${restored.key}`
          : restored.status === 'partial'
            ? `cache restored from ${restored.key} (prefix ${restored.matchedPrefix})`
            : `cache miss: ${cacheKey}`,
      );
    } catch (error) {
      setupLog.system(`cache not restored: ${(error as Error).message}`);
    }
  }
  setupLog.end();

  let backoff = job.retry.backoffMs;
  let last: JobOutcome | undefined;
  const maxAttempt = Math.max(job.retry.maxAttempts, input.previousAttempts + 1);
  for (let attempt = input.previousAttempts + 1; attempt <= maxAttempt; attempt++) {
    const log = input.openLog(attempt);
    last = await runAttempt(deps, input, { attempt, cwd, env, commands, log });
    log.end();
    if (last.status === 'success' || last.status === 'cancelled' || attempt === maxAttempt) break;
    const retryLog = input.openLog(attempt);
    retryLog.system(`attempt ${attempt} ${last.status}; retrying${backoff > 0 ? ` in ${backoff}ms` : ''}`);
    retryLog.end();
    if (backoff > 0) {
      await deps.sleep(backoff, input.signal);
      backoff *= 2;
    }
    if (input.signal.aborted)
      return { ...last, status: 'cancelled', message: 'cancelled while waiting to retry' };
  }
  if (!last) return fail('the job made no attempt');
  // A scanner may exit non-zero because it found something: its reports are read either way.
  if (job.findings && deps.findings && last.status !== 'cancelled') {
    const findingsLog = input.openLog(last.attempts);
    const verdict = await gateJobFindings(deps.findings, input.key, cwd, job.findings, findingsLog);
    findingsLog.end();
    if (verdict.status === 'failed' && last.status === 'success')
      last = { ...last, status: 'failure', message: verdict.message };
  }
  if (last.status !== 'success') return last;
  // Most jobs keep neither: no log to open for them.
  if (!job.cache && job.artifacts.length === 0) return last;
  const finishLog = input.openLog(last.attempts);
  let artifacts: ArtifactManifest | undefined;
  try {
    if (job.cache && cacheKey !== undefined) {
      const saved = await deps.cache.save(cacheKey, job.cache.paths, cwd);
      finishLog.system(
        saved.status === 'saved'
          ? `cache saved: ${cacheKey} (${saved.bytes} bytes)`
          : `cache ${saved.status.replaceAll('_', ' ')}: ${cacheKey}`,
      );
    }
    if (job.artifacts.length > 0) {
      artifacts = await deps.artifacts.collect(job.artifacts, deps.projectDir);
      finishLog.system(`artifacts stored: ${artifacts.files.length} files, ${artifacts.totalBytes} bytes`);
    }
  } catch (error) {
    finishLog.system(`cannot store cache or artifacts: ${(error as Error).message}`);
    finishLog.end();
    return {
      ...last,
      status: 'failure',
      message: `cannot store cache or artifacts: ${(error as Error).message}`,
    };
  }
  finishLog.end();
  return artifacts ? { ...last, artifacts } : last;
}

async function runAttempt(
  deps: JobRunnerDeps,
  input: JobRunInput,
  a: {
    attempt: number;
    cwd: string;
    env: Record<string, string>;
    commands: { name: string; run: string }[];
    log: AttemptLog;
  },
): Promise<JobOutcome> {
  // The process runner makes it (owner-only) before the command starts and reads it after.
  const outputFile = join(deps.runDir, `${safeName(input.key)}.${a.attempt}.output`);
  const env = {
    ...a.env,
    SLIPWAY_OUTPUT: outputFile,
    SLIPWAY_JOB: input.key,
    SLIPWAY_ATTEMPT: String(a.attempt),
  };
  // The attempt starts (and its timeout runs) when its first process starts: a runner with
  // slots may hold a job in its queue first.
  let startedOnce = false;
  let deadline: number | undefined;
  const started = () => {
    if (startedOnce) return;
    startedOnce = true;
    if (input.job.timeoutMs !== undefined) deadline = Date.now() + input.job.timeoutMs;
    input.onAttempt(a.attempt);
  };
  const base = { attempts: a.attempt, outputs: {} };
  let result: ProcessResult | undefined;
  let outputs: OutputFileResult = { text: '' };
  for (const step of a.commands) {
    if (a.commands.length > 1 || input.job.steps) a.log.system(`step: ${step.name}`);
    const timeoutMs = deadline !== undefined ? Math.max(1, deadline - Date.now()) : input.job.timeoutMs;
    result = await deps.processes.run({
      command: step.run,
      cwd: a.cwd,
      env,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      graceMs: deps.graceMs,
      signal: input.signal,
      outputFile,
      startRecord: { file: deps.journal.file, key: input.key },
      onStart: () => started(),
      onOutput: (stream, chunk) => a.log.write(stream, chunk),
    });
    // A command that could not start still counts as an attempt; one cancelled in the queue does not.
    if (result.status === 'spawn_failed') started();
    if (result.status !== 'succeeded') break;
    // Each step gets the file afresh, as in GitHub Actions; the job's outputs are all the steps'.
    const file = result.outputFile;
    if (file !== undefined && 'error' in file) {
      outputs = file;
      break;
    }
    if (file !== undefined && 'text' in outputs) outputs = { text: outputs.text + file.text };
  }
  if (a.commands.length === 0) started();
  if (!result) return { ...base, status: 'success', exitCode: 0 };
  switch (result.status) {
    case 'succeeded':
      break;
    case 'failed': {
      const message =
        result.exitCode === 127
          ? 'command not found (exit 127)'
          : result.signal
            ? `killed by ${result.signal}`
            : `exited with code ${result.exitCode}`;
      a.log.system(message);
      return { ...base, status: 'failure', exitCode: result.exitCode, message };
    }
    case 'timed_out': {
      const message = `timed out after ${input.job.timeoutMs}ms; its processes were stopped`;
      a.log.system(message);
      return { ...base, status: 'timed_out', exitCode: null, message };
    }
    case 'cancelled':
      a.log.system('cancelled; its processes were stopped');
      return { ...base, status: 'cancelled', exitCode: null, message: 'cancelled' };
    case 'spawn_failed':
      a.log.system(result.message);
      return { ...base, status: 'failure', exitCode: null, message: result.message };
  }
  if ('error' in outputs) {
    const message = `cannot read $SLIPWAY_OUTPUT: ${outputs.error}`;
    a.log.system(message);
    return { ...base, status: 'failure', exitCode: 0, message };
  }
  const raw = parseOutputsFile(outputs.text);
  // Outputs are stored and passed on: a secret written to one is masked like in a log.
  const parsed = {
    ...raw,
    outputs: Object.fromEntries(Object.entries(raw.outputs).map(([k, v]) => [k, deps.mask(v)])),
  };
  if (parsed.errors.length > 0) {
    const first = parsed.errors[0]!;
    const message = `malformed $SLIPWAY_OUTPUT line ${first.line}: ${first.message}`;
    for (const e of parsed.errors) a.log.system(`malformed $SLIPWAY_OUTPUT line ${e.line}: ${e.message}`);
    return { ...base, status: 'failure', exitCode: 0, outputs: parsed.outputs, message };
  }
  return { ...base, status: 'success', exitCode: 0, outputs: parsed.outputs };
}

function safeName(key: string): string {
  return key.replace(/[^A-Za-z0-9_.-]+/g, '_');
}
