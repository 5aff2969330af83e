/**
 * The scheduler loop: runs a planned DAG to completion. The run graph decides what starts and
 * what is skipped; this loop starts jobs and deploy environments, stops them on cancellation or
 * failFast, and hands every change to the recorder, so a killed run can be resumed from the store.
 */
import type { ResolvedConfig } from '../../config/resolved.js';
import type { JobRun, Run, Store } from '../../store/store.js';
import type { PipelinePlan, PlannedNode } from '../plan.js';
import type { Reporter, RunResultStatus } from '../run-events.js';
import { createApprovalGate } from './deploy-gate.js';
import { runDeployNode } from './deploy-node.js';
import { runJobNode } from './job-node.js';
import type { JobRunnerDeps } from './job-runner.js';
import type { LogSink } from './log-sink.js';
import { type ContextSources, conditionJudge, nodeContext } from './node-context.js';
import { type GraphStep, jobRules, RunGraph } from './run-graph.js';
import { finishedBefore, type NodeOutcome, RunRecorder } from './run-recorder.js';

/** The longest a finished job waits to share a commit while the runner still has work queued. */
const COMMIT_DELAY_MS = 5;
/** Commands handed to a runner with slots of its own, per slot: the rest wait in its queue. */
const HANDED_PER_SLOT = 8;

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

/** Runs every node of the plan that is not already final; returns the run's status. */
export async function executeRun(deps: ExecuteDeps, input: ExecuteInput): Promise<RunResultStatus> {
  const { plan, config, run } = input;
  const started = deps.clock.now();
  const cancelled = () => deps.signal.aborted;
  const graph = new RunGraph(plan, {
    jobs: jobRules(config.jobs),
    // A runner with slots of its own enforces --concurrency itself; handing it more jobs ahead of
    // time lets it start the next one the moment a process exits.
    slots: deps.processes.slots !== undefined ? deps.concurrency * HANDED_PER_SLOT : deps.concurrency,
    finished: finishedBefore(input.previous),
  });
  const recorder = new RunRecorder(deps, run, input.previous);
  const sources: ContextSources = {
    runId: run.id,
    baseEnv: deps.baseEnv,
    git: deps.git,
    hashFiles: deps.hashFiles,
    cancelled,
  };
  const judge = conditionJudge(config.jobs, sources);
  const gate = createApprovalGate(deps, run, config.project.name);
  // One per job or deploy command in flight, aborted on cancellation or by failFast.
  const controllers = new Map<string, AbortController>();
  let wake: () => void = () => {};
  let failure: unknown;

  const onAbort = () => {
    for (const c of controllers.values()) c.abort();
    graph.cancel();
    wake();
  };
  if (cancelled()) graph.cancel();
  deps.signal.addEventListener('abort', onAbort);

  const finish = (node: PlannedNode, outcome: NodeOutcome) => {
    controllers.delete(node.key);
    const { abort, message } = graph.complete(node.key, outcome);
    for (const key of abort) controllers.get(key)?.abort();
    recorder.finished(node, { ...outcome, message });
    wake();
  };

  const perform = (step: GraphStep) => {
    if (step.kind === 'finish') {
      const { node, status, message } = step;
      recorder.finished(node, {
        status,
        outputs: {},
        attempts: 0,
        exitCode: null,
        message,
        startedAt: deps.clock.now(),
      });
      wake();
      return;
    }
    const controller = new AbortController();
    controllers.set(step.node.key, controller);
    const context = nodeContext(step.node, step.facts, sources);
    if (step.kind === 'start') {
      const { node } = step;
      void runJobNode(deps, recorder, node, {
        job: config.jobs[node.jobId]!,
        context,
        signal: controller.signal,
        upstreamArtifacts: graph.neededArtifacts(node),
      }).then((outcome) => finish(node, outcome));
      return;
    }
    const { node } = step;
    void runDeployNode(deps, recorder, node, {
      gate,
      context,
      signal: controller.signal,
      service: config.project.name,
      artifacts: () => graph.allArtifacts(),
      run,
      ...(config.environments[node.environment]?.infrastructure
        ? { infrastructure: config.environments[node.environment]!.infrastructure! }
        : {}),
      ...(config.environments[node.environment]?.protection
        ? { protection: { rules: config.environments[node.environment]!.protection!, config } }
        : {}),
    })
      .then((outcome) => finish(node, outcome))
      .catch((error: unknown) => {
        failure ??= error;
        wake();
      });
  };

  // While the runner holds commands waiting for a slot, its slots stay busy without more work
  // from here: jobs that finish meanwhile may wait a little to share one commit, and whatever
  // follows them waits with them (nothing may start before what it follows is committed).
  const commitDelay = (): number => {
    if ((deps.processes.waiting?.() ?? 0) === 0 || deps.signal.aborted) return 0;
    const waited = recorder.unsavedForMs();
    return waited > 0 ? Math.max(0, COMMIT_DELAY_MS - waited) : 0;
  };

  recorder.started(plan);
  try {
    while (!graph.done && failure === undefined && recorder.error === undefined) {
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const delay = commitDelay();
      if (delay > 0) {
        const timer = setTimeout(() => wake(), delay);
        await woken;
        clearTimeout(timer);
        continue;
      }
      await recorder.commitFinished();
      for (const step of graph.next(judge)) perform(step);
      if (graph.done) break;
      await woken;
    }
  } finally {
    recorder.stop();
    deps.signal.removeEventListener('abort', onAbort);
  }
  failure ??= await recorder.close();
  if (failure !== undefined) throw failure;
  const status: RunResultStatus = cancelled() ? 'cancelled' : graph.failed ? 'failure' : 'success';
  recorder.runFinished(status, deps.clock.now() - started);
  return status;
}
