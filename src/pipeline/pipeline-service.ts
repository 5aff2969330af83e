/**
 * Pipeline use cases shared by the CLI and (later) the server: start a run, resume a killed
 * one, re-run failed jobs, cancel, and decide approvals. Wires the executor to the store,
 * caches, artifacts and secrets of one project.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/resolved.js';
import { interpolate } from '../expression/index.js';
import { leaseOwnerId } from '../store/lease-owner.js';
import type { JobRun, Run, Store } from '../store/store.js';
import { artifactsRoot, createArtifactStore } from './artifacts/artifact-store.js';
import { hashFiles } from './artifacts/hash-files.js';
import { cacheRoot, createCacheStore } from './cache/cache-store.js';
import { PipelineError } from './errors.js';
import { type ExecuteDeps, executeRun } from './executor/execute-run.js';
import { LogSink } from './executor/log-sink.js';
import { openProcessJournal, readProcessJournal } from './executor/process-journal.js';
import type { GitInfo } from './git-info.js';
import { type PipelinePlan, type PlanSelection, planPipeline } from './plan.js';
import { createLauncher } from './process/launcher.js';
import { killProcessGroup } from './process/process-group.js';
import { spawnRunner } from './process/process-runner.js';
import type { Reporter, RunResultStatus } from './run-events.js';
import { RunLease } from './run-lease.js';
import { type RunSnapshot, readSnapshot } from './run-snapshot.js';
import { createMasker } from './secrets/masker.js';
import { readSecretsFile } from './secrets/secrets-file.js';

/** What every pipeline use case runs with. */
export interface PipelineDeps {
  readonly store: Store;
  readonly clock: { now(): number };
  readonly reporter: Reporter;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly actor: string;
  readonly concurrency: number;
  readonly signal: AbortSignal;
  readonly git: GitInfo;
  /** Grace between SIGTERM and SIGKILL. */
  readonly graceMs?: number;
  readonly pollMs?: number;
  /** Spawn each job from this process instead of through the launcher. */
  readonly spawnDirectly?: boolean;
  /** argv of this Slipway (e.g. node and bin/slipway.js): deploy environments without `run` call its `deploy`. */
  readonly slipwayCommand?: readonly string[];
  /** Lease holder name of this process (default: host:pid:start); servers pass one for all their runs. */
  readonly owner?: string;
}

/** The outcome of a run command. */
export interface RunOutcome {
  readonly runId: number;
  readonly status: RunResultStatus;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/** True when a process with this pid exists on this host. */
export function processAlive(pid: number | null): boolean {
  if (pid === null || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Plans with at least this many nodes start their jobs through the launcher. */
const LAUNCHER_MIN_JOBS = 16;

const ACTIVE: readonly Run['status'][] = ['queued', 'running', 'waiting'];

/** Starts a new run of the pipeline in `projectDir` and runs it to the end. */
export async function startRun(
  deps: PipelineDeps,
  input: { projectDir: string; config: ResolvedConfig; selection?: PlanSelection; trigger?: string },
): Promise<RunOutcome> {
  const selection = input.selection ?? {};
  const plan = planPipeline(input.config, selection);
  const snapshot: RunSnapshot = {
    version: 1,
    projectDir: input.projectDir,
    config: input.config,
    selection,
    plan,
  };
  const group = input.config.concurrency
    ? interpolate(input.config.concurrency.group, { contexts: { git: deps.git, env: deps.env } })
    : null;
  const run = await deps.store.createRun({
    pipeline: input.config.project.name,
    actor: deps.actor,
    trigger: input.trigger ?? 'cli',
    status: group ? 'queued' : 'running',
    commitSha: deps.git.sha,
    branch: deps.git.branch,
    concurrencyGroup: group,
    plan: snapshot,
    pid: process.pid,
    owner: deps.owner ?? leaseOwnerId(),
  });
  return leased(deps, run, async (deps) => {
    await deps.store.appendEvent({
      type: 'pipelinerun.queued',
      actor: deps.actor,
      runId: run.id,
      commitSha: run.commitSha,
      data: { pipeline: run.pipeline, branch: run.branch, jobs: plan.nodes.length },
    });
    if (group) {
      const proceed = await waitForGroup(deps, run, group, input.config.concurrency!.cancelInProgress);
      if (!proceed) return finishCancelled(deps, run);
    }
    return execute(deps, run, snapshot, new Map());
  });
}

/**
 * Runs `work` under the lease of `run` (held since its creation, or taken over with `take`):
 * it sees a store fenced by the lease and a signal that also aborts when the lease is lost.
 */
async function leased<T>(
  deps: PipelineDeps,
  run: Run,
  work: (deps: PipelineDeps) => Promise<T>,
  take = false,
): Promise<T> {
  const owner = run.owner ?? deps.owner ?? leaseOwnerId();
  const now = () => deps.clock.now();
  const lease = take
    ? await RunLease.take(deps.store, run.id, deps.owner ?? leaseOwnerId(), run.owner, now)
    : RunLease.hold(deps.store, run.id, owner, now);
  try {
    return await work({
      ...deps,
      store: lease.fence(deps.store),
      signal: AbortSignal.any([deps.signal, lease.signal]),
    });
  } finally {
    lease.release();
  }
}

// Waits until no older active run of the group remains (cancelling them when asked); false when cancelled meanwhile.
async function waitForGroup(
  deps: PipelineDeps,
  run: Run,
  group: string,
  cancelInProgress: boolean,
): Promise<boolean> {
  const signalled = new Set<number>();
  const pollMs = deps.pollMs ?? 250;
  while (!deps.signal.aborted) {
    const older = (await deps.store.listRuns({ concurrencyGroup: group, status: ACTIVE })).filter(
      (r) => r.id < run.id && processAlive(r.pid),
    );
    if (older.length === 0) return true;
    if (cancelInProgress) {
      for (const r of older) {
        if (signalled.has(r.id) || r.pid === null) continue;
        signalled.add(r.id);
        try {
          process.kill(r.pid, 'SIGINT');
        } catch {
          // already gone
        }
      }
    }
    await sleep(pollMs, deps.signal);
  }
  return false;
}

async function finishCancelled(deps: PipelineDeps, run: Run): Promise<RunOutcome> {
  await deps.store.updateRun(run.id, { status: 'cancelled', finishedAt: deps.clock.now() });
  await deps.store.appendEvent({
    type: 'pipelinerun.finished',
    actor: deps.actor,
    runId: run.id,
    commitSha: run.commitSha,
    data: { status: 'cancelled' },
  });
  deps.reporter.report({ type: 'run.finished', run: run.id, status: 'cancelled', durationMs: 0 });
  return { runId: run.id, status: 'cancelled' };
}

async function execute(
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
  const projectDir = snapshot.projectDir;
  const secretsFile = readSecretsFile(join(projectDir, '.slipway', 'secrets.env'));
  const secretNames = new Set(Object.values(snapshot.config.jobs).flatMap((j) => j.secrets));
  const secrets: Record<string, string> = {};
  for (const name of secretNames) {
    const value = deps.env[name] ?? secretsFile[name];
    if (value !== undefined) secrets[name] = value;
  }
  const masker = createMasker([...Object.values(secrets), ...Object.values(secretsFile)]);
  const baseEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(deps.env)) if (v !== undefined && !(k in secretsFile)) baseEnv[k] = v;
  Object.assign(baseEnv, {
    CI: baseEnv.CI ?? 'true',
    SLIPWAY: 'true',
    SLIPWAY_RUN_ID: String(run.id),
    SLIPWAY_PROJECT_DIR: projectDir,
  });
  const runDir = join(projectDir, '.slipway', 'runs', String(run.id));
  mkdirSync(runDir, { recursive: true });
  // State, caches and secrets.env stay out of git without the user having to remember it.
  const ignore = join(projectDir, '.slipway', '.gitignore');
  if (!existsSync(ignore))
    writeFileSync(ignore, '# Slipway state: runs, logs, caches, artifacts, secrets.env\n*\n');
  const logs = new LogSink({
    store: deps.store,
    reporter: deps.reporter,
    masker,
    runId: run.id,
    clock: deps.clock,
  });
  const executeDeps: ExecuteDeps = {
    store: deps.store,
    clock: deps.clock,
    reporter: deps.reporter,
    logs,
    concurrency: Math.max(1, deps.concurrency),
    pollMs: deps.pollMs ?? 300,
    baseEnv,
    secrets,
    git: deps.git,
    hashFiles: (patterns) => hashFiles(patterns, projectDir),
    signal: deps.signal,
    approveCommand: (id, env) => `slipway approve ${id} ${env}`,
    ...(deps.slipwayCommand
      ? {
          deployCommand: (env: string, services: readonly string[]) =>
            services
              .map((service) =>
                [...(deps.slipwayCommand ?? []), 'deploy', service, '--env', env].map(shellQuote).join(' '),
              )
              .join(' && '),
        }
      : {}),
    projectDir,
    runDir,
    // Small pipelines spawn directly; from a few dozen jobs on, the launcher's cheaper starts win.
    journal: openProcessJournal(runDir),
    processes:
      deps.spawnDirectly || snapshot.plan.nodes.length < LAUNCHER_MIN_JOBS
        ? spawnRunner()
        : createLauncher({ slots: Math.max(1, deps.concurrency) }),
    cache: createCacheStore({ root: cacheRoot(projectDir), clock: deps.clock }),
    artifacts: createArtifactStore({ root: artifactsRoot(projectDir) }),
    graceMs: deps.graceMs ?? 5000,
    mask: (text) => masker.mask(text),
    sleep,
  };
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
    executeDeps.journal.close();
  }
  await deps.store.updateRun(run.id, { status, finishedAt: deps.clock.now(), pid: null });
  await deps.store.appendEvent({
    type: 'pipelinerun.finished',
    actor: deps.actor,
    runId: run.id,
    commitSha: run.commitSha,
    data: { status, durationMs: deps.clock.now() - startedAt },
  });
  return { runId: run.id, status };
}

/** Reads a run or fails with RUN_NOT_FOUND. */
export async function getRunOrThrow(store: Store, id: number): Promise<Run> {
  const run = await store.getRun(id);
  if (!run) throw new PipelineError('RUN_NOT_FOUND', `no run ${id} (see \`slipway runs\`)`);
  return run;
}

/** Continues a run whose process died: finished jobs are kept, the rest run again. */
export async function resumeRun(deps: PipelineDeps, runId: number): Promise<RunOutcome> {
  const run = await getRunOrThrow(deps.store, runId);
  if (!ACTIVE.includes(run.status)) {
    throw new PipelineError(
      'RUN_FINISHED',
      `run ${runId} already finished (${run.status}); use \`slipway rerun ${runId}\``,
    );
  }
  // Runs from before leases name only a pid; leased runs are checked by their lease below.
  if (run.owner === null && run.pid !== null && run.pid !== process.pid && processAlive(run.pid)) {
    throw new PipelineError('RUN_ACTIVE', `run ${runId} is still running in process ${run.pid}`);
  }
  const snapshot = readSnapshot(run.plan);
  if (!snapshot)
    throw new PipelineError('RUN_NOT_RESUMABLE', `run ${runId} has no stored plan to resume from`);
  const previous = new Map((await deps.store.listJobRuns(runId)).map((j) => [j.jobKey, j]));
  // Jobs the killed runner left running are stopped before they run again.
  const runDir = join(snapshot.projectDir, '.slipway', 'runs', String(runId));
  const final = ['success', 'failure', 'skipped', 'cancelled', 'timed_out'];
  return leased(
    deps,
    run,
    async (deps) => {
      for (const [jobKey, pgid] of readProcessJournal(runDir)) {
        const status = previous.get(jobKey)?.status;
        if (status === undefined || !final.includes(status))
          await killProcessGroup(pgid, deps.graceMs ?? 5000);
      }
      return execute(deps, run, snapshot, previous);
    },
    true,
  );
}

/** Nodes that depend, directly or through stage order, on any of `keys`. */
function descendants(plan: PipelinePlan, keys: ReadonlySet<string>): Set<string> {
  const out = new Set(keys);
  let minStage = Number.POSITIVE_INFINITY;
  for (const node of plan.nodes) {
    if (out.has(node.key)) minStage = Math.min(minStage, node.stageIndex);
    else if (node.needs.some((k) => out.has(k)) || node.stageIndex > minStage) out.add(node.key);
  }
  return out;
}

/** Starts a new run with the same frozen config; with `failedOnly`, reuses the jobs that succeeded. */
export async function rerunRun(deps: PipelineDeps, runId: number, failedOnly: boolean): Promise<RunOutcome> {
  const old = await getRunOrThrow(deps.store, runId);
  const snapshot = readSnapshot(old.plan);
  if (!snapshot) throw new PipelineError('RUN_NOT_RESUMABLE', `run ${runId} has no stored plan to re-run`);
  const oldJobs = new Map((await deps.store.listJobRuns(runId)).map((j) => [j.jobKey, j]));
  const run = await deps.store.createRun({
    pipeline: old.pipeline,
    actor: deps.actor,
    trigger: `rerun:${runId}`,
    status: 'running',
    commitSha: old.commitSha,
    branch: old.branch,
    concurrencyGroup: old.concurrencyGroup,
    plan: snapshot,
    pid: process.pid,
    owner: deps.owner ?? leaseOwnerId(),
  });
  return leased(deps, run, async (deps) => {
    const previous = new Map<string, JobRun>();
    if (failedOnly) {
      const failed = new Set(
        snapshot.plan.nodes.filter((n) => oldJobs.get(n.key)?.status !== 'success').map((n) => n.key),
      );
      const again = descendants(snapshot.plan, failed);
      for (const node of snapshot.plan.nodes) {
        const prev = oldJobs.get(node.key);
        if (again.has(node.key) || !prev) continue;
        const reused = await deps.store.upsertJobRun(run.id, node.key, {
          stage: prev.stage,
          status: prev.status,
          attempts: prev.attempts,
          exitCode: prev.exitCode,
          startedAt: prev.startedAt,
          finishedAt: prev.finishedAt,
          outputs: prev.outputs,
          matrix: prev.matrix,
          message: `reused from run ${runId}`,
        });
        previous.set(node.key, { ...reused, attempts: 0 });
      }
    }
    return execute(deps, run, snapshot, previous);
  });
}

/** Asks the process running a run to cancel it; marks an orphaned run cancelled directly. */
export async function cancelRun(
  store: Store,
  clock: { now(): number },
  actor: string,
  runId: number,
): Promise<'signalled' | 'marked'> {
  const run = await getRunOrThrow(store, runId);
  if (!ACTIVE.includes(run.status))
    throw new PipelineError('RUN_FINISHED', `run ${runId} already finished (${run.status})`);
  if (run.pid !== null && processAlive(run.pid)) {
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

/** Records an approval decision for a run's environment; the waiting run picks it up. */
export async function decideApproval(
  store: Store,
  input: {
    runId: number;
    environment: string;
    decision: 'approved' | 'rejected';
    actor: string;
    comment?: string;
  },
): Promise<{ runActive: boolean }> {
  const run = await getRunOrThrow(store, input.runId);
  const approval = await store.getApproval(input.runId, input.environment);
  if (!approval) {
    const pending = (await store.listApprovals(input.runId))
      .filter((a) => a.status === 'pending')
      .map((a) => a.environment);
    throw new PipelineError(
      'APPROVAL_NOT_FOUND',
      `run ${input.runId} is not waiting for approval of '${input.environment}'${pending.length > 0 ? ` (it waits for: ${pending.join(', ')})` : ''}`,
    );
  }
  if (approval.status !== 'pending') {
    throw new PipelineError(
      'APPROVAL_DECIDED',
      `'${input.environment}' of run ${input.runId} was already ${approval.status} by ${approval.decidedBy}`,
    );
  }
  await store.transaction(async (tx) => {
    await tx.decideApproval(input.runId, input.environment, {
      decision: input.decision,
      by: input.actor,
      comment: input.comment ?? null,
    });
    await tx.appendEvent({
      type: input.decision === 'approved' ? 'approval.granted' : 'approval.rejected',
      actor: input.actor,
      runId: input.runId,
      environment: input.environment,
      service: run.pipeline,
      commitSha: run.commitSha,
      data: input.comment ? { comment: input.comment } : {},
    });
  });
  return { runActive: run.pid !== null && processAlive(run.pid) };
}

/** Quotes a word for /bin/sh. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
