/** Runs one deploy environment: its protection and approval gate, then its `run` command or the deploy of its services. */
import type { ResolvedConfig, ResolvedProtection } from '../../config/resolved.js';
import type { ResolvedInfrastructure } from '../../config/resolved-infrastructure.js';
import type { EvalContext } from '../../expression/index.js';
import type { InfraPlan } from '../../infra/plan-record.js';
import type { Run, Store } from '../../store/store.js';
import type { ArtifactManifest } from '../artifacts/artifact-store.js';
import type { PlannedDeployNode } from '../plan.js';
import { type ApprovalGate, deployJob } from './deploy-gate.js';
import { applyForRun, type ProvisionInput, planForRun } from './deploy-infrastructure.js';
import { enforceProtection } from './deploy-protection.js';
import { type JobRunnerDeps, runJob } from './job-runner.js';
import type { LogSink } from './log-sink.js';
import type { NodeOutcome, RunRecorder } from './run-recorder.js';

/** What a deploy environment runs with. */
export interface DeployNodeDeps extends JobRunnerDeps {
  readonly clock: { now(): number };
  readonly logs: LogSink;
  /** Environment the deploy command starts from. */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** The command that deploys services to an environment (a deploy environment without `run`). */
  readonly deployCommand?: (environment: string, services: readonly string[]) => string;
  readonly store: Store;
}

/** One deploy environment to run. */
export interface DeployNodeInput {
  readonly gate: ApprovalGate;
  readonly context: EvalContext;
  readonly signal: AbortSignal;
  /** The service `service.deployed` names (the project). */
  readonly service: string;
  /** Artifacts to materialize, read when the command starts (after any approval wait). */
  readonly artifacts: () => readonly ArtifactManifest[];
  /** The run, for the infrastructure plan it makes. */
  readonly run: Run;
  /** The environment's `infrastructure:`, provisioned around the gate; absent without one. */
  readonly infrastructure?: ResolvedInfrastructure;
  /** The environment's `protection:` and the run's config; absent without one. */
  readonly protection?: { readonly rules: ResolvedProtection; readonly config: ResolvedConfig };
}

/** Runs a deploy environment to its outcome: cancelled or rejected at the gate, or deployed. */
export async function runDeployNode(
  deps: DeployNodeDeps,
  recorder: RunRecorder,
  node: PlannedDeployNode,
  input: DeployNodeInput,
): Promise<NodeOutcome> {
  const startedAt = deps.clock.now();
  const notRun = { outputs: {}, attempts: 0, exitCode: null } as const;
  let provision: ProvisionInput | undefined;
  let plan: InfraPlan | undefined;
  if (input.protection) {
    const blocked = await enforceProtection(
      {
        store: deps.store,
        run: input.run,
        config: input.protection.config,
        projectDir: deps.projectDir,
        env: deps.baseEnv,
        protection: input.protection.rules,
        service: input.service,
        log: deps.logs.attempt(node.key, 1),
      },
      node,
      startedAt,
    );
    if (blocked) return blocked;
  }
  if (input.infrastructure) {
    provision = {
      store: deps.store,
      run: input.run,
      project: input.service,
      projectDir: deps.projectDir,
      environment: node.environment,
      infrastructure: input.infrastructure,
      env: deps.baseEnv,
      log: deps.logs.attempt(node.key, 1),
      signal: input.signal,
    };
    try {
      plan = await planForRun(provision);
    } catch (error) {
      return infraFailure(provision, 'plan', error, startedAt);
    }
  }
  if (node.approval === 'manual_approval') {
    const decided = await input.gate.wait(node, input.protection?.rules.approvers?.required ?? 1);
    if (decided === 'cancelled') {
      const message = 'cancelled while waiting for approval';
      return { ...notRun, status: 'cancelled', message, startedAt: deps.clock.now() };
    }
    if (decided.status === 'rejected')
      return { ...notRun, status: 'failure', message: `rejected by ${decided.by}`, startedAt };
  }
  if (provision && plan) {
    try {
      await applyForRun(provision, plan);
    } catch (error) {
      return infraFailure(provision, 'apply', error, startedAt);
    }
  }
  recorder.attemptStarted(node, 1, startedAt);
  const command =
    node.run ??
    (node.services && node.services.length > 0 && deps.deployCommand
      ? deps.deployCommand(node.environment, node.services)
      : undefined);
  if (command === undefined) {
    const log = deps.logs.attempt(node.key, 1);
    log.system(`environment ${node.environment}: nothing to deploy`);
    log.end();
    return {
      status: 'success',
      outputs: {},
      attempts: 1,
      exitCode: 0,
      message: 'nothing to deploy',
      startedAt,
    };
  }
  const outcome = await runJob(deps, {
    key: node.key,
    job: deployJob(node, command),
    baseEnv: deps.baseEnv,
    context: input.context,
    signal: input.signal,
    upstreamArtifacts: input.artifacts(),
    previousAttempts: 0,
    openLog: (attempt) => deps.logs.attempt(node.key, attempt),
    onAttempt: () => {},
  });
  if (outcome.status === 'success') await recorder.deployed(node, input.service, startedAt, deps.projectDir);
  return { ...outcome, startedAt };
}

// A plan or apply that failed fails the deploy; the log keeps the whole message, the node its first line.
function infraFailure(
  provision: ProvisionInput,
  step: string,
  error: unknown,
  startedAt: number,
): NodeOutcome {
  const text = error instanceof Error ? error.message : String(error);
  provision.log.system(`infrastructure ${step} failed: ${text}`);
  return {
    status: 'failure',
    outputs: {},
    attempts: 1,
    exitCode: null,
    message: `infrastructure ${step} failed: ${text.split('\n')[0]}`,
    startedAt,
  };
}
