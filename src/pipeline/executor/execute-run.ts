/**
 * The scheduler: runs a planned DAG to completion. Nodes start when their needs are final
 * and every earlier stage is complete, up to the concurrency limit; conditions decide
 * whether they run; every status change is persisted as it happens, so a killed run can be
 * resumed from the store.
 */
import type { ResolvedConfig, ResolvedJob } from '../../config/resolved.js';
import {
  type Condition,
  type EvalContext,
  evaluateCondition,
  parseCondition,
} from '../../expression/index.js';
import type { JobRun, Run, Store } from '../../store/store.js';
import type { ArtifactManifest } from '../artifacts/artifact-store.js';
import type { PipelinePlan, PlannedDeployNode, PlannedJobNode, PlannedNode } from '../plan.js';
import type { Reporter, RunResultStatus } from '../run-events.js';
import { createApprovalGate, deployJob } from './deploy-gate.js';
import { type JobOutcome, type JobRunnerDeps, runJob } from './job-runner.js';
import type { LogSink } from './log-sink.js';
import {
  aggregateResult,
  type FinalStatus,
  isFailing,
  type NodeResult,
  type StoredOutputs,
} from './node-state.js';
import { type StateWrite, StateWriter } from './state-writer.js';

/** What the scheduler runs with. */
export interface ExecuteDeps extends JobRunnerDeps {
  readonly store: Store;
  readonly clock: { now(): number };
  readonly reporter: Reporter;
  readonly logs: LogSink;
  readonly concurrency: number;
  /** How often to look for an approval decision. */
  readonly pollMs: number;
  /** Environment every job starts from. */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Secret values by name, for jobs that list them. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly git: { readonly branch: string | null; readonly sha: string | null };
  readonly hashFiles: (patterns: string[]) => string;
  /** Aborted on Ctrl-C or `slipway cancel`. */
  readonly signal: AbortSignal;
  /** The command that decides an approval, for the waiting message. */
  readonly approveCommand: (runId: number, environment: string) => string;
  /** The command that deploys services to an environment (a deploy environment without `run`). */
  readonly deployCommand?: (environment: string, services: readonly string[]) => string;
}

/** A run to execute, with whatever a previous process already finished. */
export interface ExecuteInput {
  readonly run: Run;
  readonly config: ResolvedConfig;
  readonly plan: PipelinePlan;
  readonly previous: ReadonlyMap<string, JobRun>;
}

/** How long writes other than finished jobs wait to share a transaction. */
const COALESCE_MS = 10;

const FINAL = new Set(['success', 'failure', 'skipped', 'cancelled', 'timed_out']);

/** Runs every node of the plan that is not already final; returns the run's status. */
export async function executeRun(deps: ExecuteDeps, input: ExecuteInput): Promise<RunResultStatus> {
  const { plan, config, run } = input;
  const started = deps.clock.now();
  const byKey = new Map(plan.nodes.map((n) => [n.key, n]));
  const legs = new Map<string, string[]>();
  for (const n of plan.nodes) {
    if (n.kind !== 'job') continue;
    const list = legs.get(n.jobId);
    if (list) list.push(n.key);
    else legs.set(n.jobId, [n.key]);
  }
  const results = new Map<string, NodeResult>();
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const n of plan.nodes) {
    remaining.set(n.key, n.needs.length);
    for (const dep of n.needs) {
      const list = dependents.get(dep);
      if (list) list.push(n.key);
      else dependents.set(dep, [n.key]);
    }
  }
  const stageRemaining = plan.stages.map((s) => s.keys.length);
  const stageFailed = plan.stages.map(() => false);
  const blocked: PlannedNode[][] = plan.stages.map(() => []);
  let openStage = 0;
  let ready: PlannedNode[] = [];
  let running = 0;
  const runningByJob = new Map<string, number>();
  const controllers = new Map<string, AbortController>();
  const failFast = new Set<string>();
  const conditions = new Map<string, Condition | Error>();
  let wake: () => void = () => {};
  let failure: unknown;
  // A finished job's record is committed before anything that follows it starts (see flush below).
  const writer = new StateWriter(deps.store, COALESCE_MS);
  const persist = (op: StateWrite) => writer.write(op);
  let finishedUnsaved = false;
  const cancelled = () => deps.signal.aborted;
  const onAbort = () => {
    for (const c of controllers.values()) c.abort();
    // Jobs that were waiting for a slot are decided again: only always()/cancelled() ones still run.
    ready.push(...decided.map((d) => d.node));
    decided = [];
    wake();
  };
  deps.signal.addEventListener('abort', onAbort);

  const enqueue = (node: PlannedNode) => {
    if (node.stageIndex <= openStage) ready.push(node);
    else blocked[node.stageIndex]!.push(node);
  };
  const complete = (node: PlannedNode, result: NodeResult) => {
    results.set(node.key, result);
    stageRemaining[node.stageIndex]!--;
    if (isFailing(result.effective)) stageFailed[node.stageIndex] = true;
    for (const next of dependents.get(node.key) ?? []) {
      const left = remaining.get(next)! - 1;
      remaining.set(next, left);
      if (left === 0) enqueue(byKey.get(next)!);
    }
    while (openStage < plan.stages.length - 1 && stageRemaining[openStage] === 0) {
      openStage++;
      ready.push(...blocked[openStage]!);
      blocked[openStage] = [];
    }
    wake();
  };

  // Seed with what a previous process finished.
  for (const node of plan.nodes) {
    const prev = input.previous.get(node.key);
    if (!prev || !FINAL.has(prev.status)) continue;
    const stored = (prev.outputs ?? {}) as unknown as StoredOutputs;
    const status = prev.status as FinalStatus;
    const effective =
      status === 'failure' && node.kind === 'job' && config.jobs[node.jobId]?.continueOnError
        ? 'success'
        : status;
    results.set(node.key, {
      status,
      effective,
      outputs: stored.values ?? {},
      ...(stored.artifacts ? { artifacts: stored.artifacts } : {}),
      failedUpstream: isFailing(effective),
    });
  }
  // Recompute failedUpstream for seeded results in topological order.
  for (const node of plan.nodes) {
    const r = results.get(node.key);
    if (!r) continue;
    const upstream = node.needs.some((k) => results.get(k)?.failedUpstream);
    if (upstream && !r.failedUpstream) results.set(node.key, { ...r, failedUpstream: true });
  }
  {
    const seeded = [...results.entries()];
    results.clear();
    for (const node of plan.nodes) remaining.set(node.key, node.needs.length);
    for (const [key, r] of seeded) complete(byKey.get(key)!, r);
    ready = [];
    for (const s of blocked) s.length = 0;
    for (const node of plan.nodes) if (!results.has(node.key) && remaining.get(node.key) === 0) enqueue(node);
  }

  deps.reporter.report({
    type: 'run.started',
    run: run.id,
    pipeline: run.pipeline,
    jobs: plan.nodes.map((n) => n.key),
  });

  const upstreamFailed = (node: PlannedNode) =>
    stageFailed.slice(0, node.stageIndex).some(Boolean) ||
    node.needs.some((k) => results.get(k)?.failedUpstream);

  const needsContext = (node: PlannedJobNode) => {
    const needs: Record<string, unknown> = {};
    for (const jobId of node.neededJobs) {
      const rs = (legs.get(jobId) ?? [])
        .map((k) => results.get(k))
        .filter((r): r is NodeResult => r !== undefined);
      needs[jobId] = { result: aggregateResult(rs), outputs: Object.assign({}, ...rs.map((r) => r.outputs)) };
    }
    return needs;
  };

  const evalContext = (node: PlannedNode, explicitBad: boolean): EvalContext => {
    const failedAbove = upstreamFailed(node);
    return {
      contexts: {
        needs: node.kind === 'job' ? needsContext(node) : {},
        matrix: node.kind === 'job' ? (node.matrix ?? {}) : {},
        env: deps.baseEnv,
        git: { branch: deps.git.branch, sha: deps.git.sha },
        run: { id: run.id },
      },
      status: {
        success: () => !failedAbove && !cancelled() && !explicitBad,
        failure: () => failedAbove,
        cancelled: () => cancelled(),
      },
      hashFiles: deps.hashFiles,
    };
  };

  const finishNode = (
    node: PlannedNode,
    outcome: Omit<NodeResult, 'failedUpstream' | 'effective'> & {
      attempts: number;
      exitCode: number | null;
      message?: string;
      startedAt: number;
    },
    job?: ResolvedJob,
  ) => {
    const effective: FinalStatus =
      outcome.status === 'failure' && job?.continueOnError ? 'success' : outcome.status;
    const result: NodeResult = {
      status: outcome.status,
      effective,
      outputs: outcome.outputs,
      ...(outcome.artifacts ? { artifacts: outcome.artifacts } : {}),
      failedUpstream: isFailing(effective) || upstreamFailed(node),
    };
    const finishedAt = deps.clock.now();
    const durationMs = finishedAt - outcome.startedAt;
    const stored: StoredOutputs = {
      values: outcome.outputs,
      ...(outcome.artifacts ? { artifacts: outcome.artifacts } : {}),
    };
    const matrix = node.kind === 'job' ? node.matrix : undefined;
    // The log goes to the store before the status, so a finished job always has its log.
    const lines = deps.logs.take();
    if (lines.length > 0) persist((tx) => tx.appendLogs(lines));
    persist((tx) =>
      tx.upsertJobRun(run.id, node.key, {
        stage: node.stage,
        status: outcome.status,
        attempts: outcome.attempts,
        exitCode: outcome.exitCode,
        finishedAt,
        outputs: stored as unknown as Record<string, unknown>,
        message: outcome.message ?? null,
        ...(matrix ? { matrix } : {}),
      }),
    );
    persist((tx) =>
      tx.appendEvent({
        type: 'taskrun.finished',
        actor: run.actor,
        runId: run.id,
        subject: node.key,
        commitSha: run.commitSha,
        data: {
          status: outcome.status,
          attempts: outcome.attempts,
          exitCode: outcome.exitCode,
          durationMs,
          stage: node.stage,
        },
      }),
    );
    finishedUnsaved = true;
    deps.reporter.report({
      type: 'job.finished',
      job: node.key,
      status: outcome.status,
      attempts: outcome.attempts,
      exitCode: outcome.exitCode,
      durationMs,
      ...(matrix ? { matrix } : {}),
      ...(outcome.message ? { message: outcome.message } : {}),
    });
    complete(node, result);
  };

  const skip = (node: PlannedNode, status: 'skipped' | 'cancelled', message: string) => {
    finishNode(node, {
      status,
      outputs: {},
      attempts: 0,
      exitCode: null,
      message,
      startedAt: deps.clock.now(),
    });
  };

  const markStarted = (node: PlannedNode, attempt: number, startedAt: number) => {
    persist((tx) =>
      tx.upsertJobRun(run.id, node.key, {
        stage: node.stage,
        status: 'running',
        attempts: attempt,
        startedAt,
        ...(node.kind === 'job' && node.matrix ? { matrix: node.matrix } : {}),
      }),
    );
    if (attempt === (input.previous.get(node.key)?.attempts ?? 0) + 1) {
      persist((tx) =>
        tx.appendEvent({
          type: 'taskrun.started',
          actor: run.actor,
          runId: run.id,
          subject: node.key,
          commitSha: run.commitSha,
          data: { stage: node.stage },
        }),
      );
    }
    deps.reporter.report({ type: 'job.started', job: node.key, attempt });
  };

  const runNodeJob = (node: PlannedJobNode, job: ResolvedJob, context: EvalContext) => {
    running++;
    runningByJob.set(node.jobId, (runningByJob.get(node.jobId) ?? 0) + 1);
    // A job started after cancellation is one whose condition asked to run anyway (always()).
    const controller = new AbortController();
    controllers.set(node.key, controller);
    // Set again when the first process really starts (the launcher may queue the job first).
    let startedAt = deps.clock.now();
    let begun = false;
    const secretEnv: Record<string, string> = {};
    for (const name of job.secrets) {
      const value = deps.secrets[name];
      if (value !== undefined) secretEnv[name] = value;
    }
    const upstreamArtifacts = node.needs
      .map((k) => results.get(k)?.artifacts)
      .filter((m): m is ArtifactManifest => m !== undefined && m.files.length > 0);
    void runJob(deps, {
      key: node.key,
      job,
      baseEnv: { ...deps.baseEnv, ...secretEnv, ...matrixEnv(node) },
      context,
      signal: controller.signal,
      upstreamArtifacts,
      previousAttempts: input.previous.get(node.key)?.attempts ?? 0,
      openLog: (attempt) => deps.logs.attempt(node.key, attempt),
      onAttempt: (attempt) => {
        if (!begun) startedAt = deps.clock.now();
        begun = true;
        markStarted(node, attempt, startedAt);
      },
    })
      .catch(
        (error: unknown): JobOutcome => ({
          status: 'failure',
          attempts: 1,
          exitCode: null,
          outputs: {},
          message: `internal error: ${(error as Error).message}`,
        }),
      )
      .then((outcome) => {
        running--;
        runningByJob.set(node.jobId, runningByJob.get(node.jobId)! - 1);
        controllers.delete(node.key);
        if (node.matrix && job.matrix?.failFast && isFailing(outcome.status) && !job.continueOnError) {
          failFast.add(node.jobId);
          for (const key of legs.get(node.jobId) ?? []) if (key !== node.key) controllers.get(key)?.abort();
        }
        const cancelledByFailFast =
          outcome.status === 'cancelled' && failFast.has(node.jobId) && !cancelled();
        finishNode(
          node,
          {
            ...outcome,
            startedAt,
            ...(cancelledByFailFast ? { message: 'cancelled: another matrix leg failed (failFast)' } : {}),
          },
          job,
        );
      });
  };

  const runDeploy = async (node: PlannedDeployNode, context: EvalContext) => {
    const startedAt = deps.clock.now();
    if (node.approval === 'manual_approval') {
      const decided = await gate.wait(node);
      if (decided === 'cancelled') return skip(node, 'cancelled', 'cancelled while waiting for approval');
      if (decided.status === 'rejected') {
        return finishNode(node, {
          status: 'failure',
          outputs: {},
          attempts: 0,
          exitCode: null,
          message: `rejected by ${decided.by}`,
          startedAt,
        });
      }
    }
    markStarted(node, 1, startedAt);
    const command =
      node.run ??
      (node.services && node.services.length > 0 && deps.deployCommand
        ? deps.deployCommand(node.environment, node.services)
        : undefined);
    if (command === undefined) {
      const log = deps.logs.attempt(node.key, 1);
      log.system(`environment ${node.environment}: nothing to deploy`);
      log.end();
      return finishNode(node, {
        status: 'success',
        outputs: {},
        attempts: 1,
        exitCode: 0,
        message: 'nothing to deploy',
        startedAt,
      });
    }
    const job = deployJob(node, command);
    const controller = new AbortController();
    if (cancelled()) controller.abort();
    controllers.set(node.key, controller);
    const upstreamArtifacts = [...results.values()]
      .map((r) => r.artifacts)
      .filter((m): m is ArtifactManifest => m !== undefined && m.files.length > 0);
    const outcome = await runJob(deps, {
      key: node.key,
      job,
      baseEnv: deps.baseEnv,
      context,
      signal: controller.signal,
      upstreamArtifacts,
      previousAttempts: 0,
      openLog: (attempt) => deps.logs.attempt(node.key, attempt),
      onAttempt: () => {},
    });
    controllers.delete(node.key);
    if (outcome.status === 'success') {
      persist((tx) =>
        tx.appendEvent({
          type: 'service.deployed',
          actor: run.actor,
          runId: run.id,
          subject: node.key,
          service: config.project.name,
          environment: node.environment,
          commitSha: run.commitSha,
          data: { durationMs: deps.clock.now() - startedAt },
        }),
      );
    }
    finishNode(node, { ...outcome, startedAt });
  };

  const gate = createApprovalGate(deps, run, config.project.name);

  const conditionOf = (node: PlannedJobNode, job: ResolvedJob): Condition | Error | undefined => {
    if (job.if === undefined) return undefined;
    let c = conditions.get(node.jobId);
    if (!c) {
      try {
        c = parseCondition(job.if);
      } catch (error) {
        c = error as Error;
      }
      conditions.set(node.jobId, c);
    }
    return c;
  };

  // A runner with slots of its own enforces --concurrency itself; handing it as many jobs again
  // ahead of time lets it start the next one the moment a process exits.
  const inFlight = deps.processes.slots !== undefined ? deps.concurrency * 2 : deps.concurrency;
  // Nodes decided to run (condition evaluated once, when they became ready), waiting for a slot.
  let decided: { node: PlannedJobNode; job: ResolvedJob; context: EvalContext }[] = [];
  const startReady = () => {
    const queue = ready;
    ready = [];
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i]!;
      if (results.has(node.key)) continue;
      const explicitNeeds = node.kind === 'job' ? (config.jobs[node.jobId]?.needs ?? []) : [];
      // Needs outside the plan (--stage, --job) are not run here and do not count.
      const explicitBad = explicitNeeds.some((id) => {
        if (!legs.has(id)) return false;
        const r = aggregateResult(
          (legs.get(id) ?? []).map((k) => results.get(k)).filter((x): x is NodeResult => !!x),
        );
        return r === 'skipped' || r === 'cancelled';
      });
      const context = evalContext(node, explicitBad);
      if (node.kind === 'deploy') {
        if (!context.status!.success()) {
          skip(
            node,
            cancelled() ? 'cancelled' : 'skipped',
            cancelled() ? 'run cancelled' : 'an earlier job failed',
          );
          continue;
        }
        void runDeploy(node, context).catch((error: unknown) => {
          failure ??= error;
          wake();
        });
        continue;
      }
      const job = config.jobs[node.jobId]!;
      const condition = conditionOf(node, job);
      let go: boolean;
      try {
        if (condition instanceof Error) throw new Error(`invalid if: ${condition.message}`);
        go = condition ? evaluateCondition(condition, context) : context.status!.success();
      } catch (error) {
        const message = (error as Error).message;
        const outcome = {
          status: 'failure' as const,
          outputs: {},
          attempts: 0,
          exitCode: null,
          startedAt: deps.clock.now(),
        };
        finishNode(
          node,
          { ...outcome, message: message.startsWith('invalid if') ? message : `if: ${message}` },
          job,
        );
        continue;
      }
      if (!go) {
        const why = cancelled()
          ? 'run cancelled'
          : condition
            ? 'condition is false'
            : upstreamFailed(node)
              ? 'an earlier job failed'
              : 'a needed job was skipped';
        skip(node, cancelled() && !condition ? 'cancelled' : 'skipped', why);
        continue;
      }
      if (failFast.has(node.jobId) && !cancelled()) {
        skip(node, 'cancelled', 'cancelled: another matrix leg failed (failFast)');
        continue;
      }
      decided.push({ node, job, context });
    }
    // Start what was decided to run, in order, as slots free up; a job at its maxParallel waits.
    const waiting: typeof decided = [];
    for (const entry of decided) {
      const { node, job } = entry;
      if (failFast.has(node.jobId) && !cancelled()) {
        skip(node, 'cancelled', 'cancelled: another matrix leg failed (failFast)');
        continue;
      }
      const maxParallel = job.matrix?.maxParallel;
      if (
        running >= inFlight ||
        (maxParallel !== undefined && (runningByJob.get(node.jobId) ?? 0) >= maxParallel)
      ) {
        waiting.push(entry);
        continue;
      }
      runNodeJob(node, job, entry.context);
    }
    decided = waiting;
  };

  const heartbeat = setInterval(
    () => persist((tx) => tx.updateRun(run.id, { heartbeatAt: deps.clock.now() })),
    2000,
  );
  heartbeat.unref();
  try {
    while (results.size < plan.nodes.length && failure === undefined && writer.error === undefined) {
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      if (finishedUnsaved) {
        finishedUnsaved = false;
        await writer.flush();
      }
      startReady();
      if (results.size >= plan.nodes.length) break;
      await woken;
    }
  } finally {
    clearInterval(heartbeat);
    deps.signal.removeEventListener('abort', onAbort);
  }
  await deps.logs.flush();
  await writer.flush();
  failure ??= writer.error;
  if (failure !== undefined) throw failure;
  const status: RunResultStatus = cancelled()
    ? 'cancelled'
    : [...results.values()].some((r) => isFailing(r.effective))
      ? 'failure'
      : 'success';
  deps.reporter.report({ type: 'run.finished', run: run.id, status, durationMs: deps.clock.now() - started });
  return status;
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
