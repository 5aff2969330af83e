/**
 * Records a run as the scheduler goes: job states and CDEvents-style events to the store, in
 * ordered batches, and progress to the reporter. A finished job is committed before anything
 * that follows it starts, so a resumed run never repeats one.
 */
import { commitsBetween } from '../../git/commit-range.js';
import { type DeployRecord, readDeployRecord } from '../../store/delivery-records.js';
import type { JobRun, Run, Store } from '../../store/store.js';
import type { PipelinePlan, PlannedDeployNode, PlannedNode } from '../plan.js';
import type { Reporter, RunResultStatus } from '../run-events.js';
import type { LogSink } from './log-sink.js';
import type { FinalStatus, NodeEnd, StoredOutputs } from './node-state.js';
import { StateWriter } from './state-writer.js';

/** How long writes other than finished jobs wait to share a transaction. */
const COALESCE_MS = 10;
const HEARTBEAT_MS = 2000;
const FINAL = new Set(['success', 'failure', 'skipped', 'cancelled', 'timed_out']);

/** A finished node as it is recorded. */
export interface NodeOutcome extends NodeEnd {
  readonly attempts: number;
  readonly exitCode: number | null;
  readonly startedAt: number;
}

/** What the recorder writes with. */
export interface RecorderDeps {
  readonly store: Store;
  readonly clock: { now(): number };
  readonly reporter: Reporter;
  readonly logs: LogSink;
}

/** The nodes a previous process finished, read back from their job records. */
export function finishedBefore(previous: ReadonlyMap<string, JobRun>): Map<string, NodeEnd> {
  const finished = new Map<string, NodeEnd>();
  for (const [key, job] of previous) {
    if (!FINAL.has(job.status)) continue;
    const stored = (job.outputs ?? {}) as unknown as StoredOutputs;
    finished.set(key, {
      status: job.status as FinalStatus,
      outputs: stored.values ?? {},
      ...(stored.artifacts ? { artifacts: stored.artifacts } : {}),
    });
  }
  return finished;
}

/** Writes one run's progress to the store and the reporter. */
export class RunRecorder {
  readonly #writer: StateWriter;
  #finishedUnsaved = false;
  /** When the oldest finished node not yet committed finished (performance.now()). */
  #unsavedSince = 0;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: RecorderDeps,
    private readonly run: Run,
    private readonly previous: ReadonlyMap<string, JobRun>,
  ) {
    this.#writer = new StateWriter(deps.store, run.id, COALESCE_MS);
  }

  /** The first error a write met; the run stops on it. */
  get error(): unknown {
    return this.#writer.error;
  }

  /** Attempts a node made before this process took the run over. */
  previousAttempts(key: string): number {
    return this.previous.get(key)?.attempts ?? 0;
  }

  /** Reports the start and keeps the run's heartbeat fresh until `stop`. */
  started(plan: PipelinePlan): void {
    const { run } = this;
    this.deps.reporter.report({
      type: 'run.started',
      run: run.id,
      pipeline: run.pipeline,
      jobs: plan.nodes.map((n) => n.key),
    });
    this.#heartbeat = setInterval(
      () => this.#writer.write((tx) => tx.updateRun(run.id, { heartbeatAt: this.deps.clock.now() })),
      HEARTBEAT_MS,
    );
    this.#heartbeat.unref();
  }

  /** An attempt of a node started. */
  attemptStarted(node: PlannedNode, attempt: number, startedAt: number): void {
    const { run } = this;
    this.#writer.job(node.key, {
      stage: node.stage,
      status: 'running',
      attempts: attempt,
      startedAt,
      ...(node.kind === 'job' && node.matrix ? { matrix: node.matrix } : {}),
    });
    if (attempt === this.previousAttempts(node.key) + 1) {
      this.#writer.event({
        type: 'taskrun.started',
        actor: run.actor,
        runId: run.id,
        subject: node.key,
        commitSha: run.commitSha,
        data: { stage: node.stage },
      });
    }
    this.deps.reporter.report({ type: 'job.started', job: node.key, attempt });
  }

  /** A node finished: its log, then its record and event, then the report. */
  finished(node: PlannedNode, outcome: NodeOutcome): void {
    const { run } = this;
    const finishedAt = this.deps.clock.now();
    const durationMs = finishedAt - outcome.startedAt;
    const stored: StoredOutputs = {
      values: outcome.outputs,
      ...(outcome.artifacts ? { artifacts: outcome.artifacts } : {}),
    };
    const matrix = node.kind === 'job' ? node.matrix : undefined;
    // The log goes to the store before the status, so a finished job always has its log.
    const lines = this.deps.logs.take();
    if (lines.length > 0) this.#writer.logs(lines);
    this.#writer.job(node.key, {
      stage: node.stage,
      status: outcome.status,
      attempts: outcome.attempts,
      exitCode: outcome.exitCode,
      finishedAt,
      outputs: stored as unknown as Record<string, unknown>,
      message: outcome.message ?? null,
      ...(matrix ? { matrix } : {}),
    });
    this.#writer.event({
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
    });
    if (!this.#finishedUnsaved) this.#unsavedSince = performance.now();
    this.#finishedUnsaved = true;
    this.deps.reporter.report({
      type: 'job.finished',
      job: node.key,
      status: outcome.status,
      attempts: outcome.attempts,
      exitCode: outcome.exitCode,
      durationMs,
      ...(matrix ? { matrix } : {}),
      ...(outcome.message ? { message: outcome.message } : {}),
    });
  }

  /**
   * A deploy environment deployed `service`. An environment with its own `run:` command is a deploy
   * Slipway sees only here, so its event carries the deploy record the delivery metrics count
   * (one that deploys services through rollouts leaves that to their records).
   */
  async deployed(
    node: PlannedDeployNode,
    service: string,
    startedAt: number,
    projectDir: string,
  ): Promise<void> {
    const { run } = this;
    const deploy =
      node.run === undefined ? undefined : await this.deployRecord(node, service, startedAt, projectDir);
    this.#writer.event({
      type: 'service.deployed',
      actor: run.actor,
      runId: run.id,
      subject: node.key,
      service,
      environment: node.environment,
      commitSha: run.commitSha,
      data: { durationMs: this.deps.clock.now() - startedAt, ...(deploy ? { deploy } : {}) },
    });
  }

  /** The record of a `run:` deploy: the commits since the environment's last recorded one. */
  private async deployRecord(
    node: PlannedDeployNode,
    service: string,
    startedAt: number,
    projectDir: string,
  ): Promise<DeployRecord> {
    const { run } = this;
    let previous: string | null = null;
    if (run.commitSha !== null) {
      const earlier = await this.deps.store.listEvents({
        types: ['service.deployed'],
        service,
        environment: node.environment,
      });
      previous = earlier.findLast((e) => e.commitSha !== null && readDeployRecord(e.data))?.commitSha ?? null;
    }
    const changes = run.commitSha === null ? [] : await commitsBetween(projectDir, previous, run.commitSha);
    return { result: 'completed', startedAt, changes, traffic: null };
  }

  /** How long the oldest finished node has waited for its commit; 0 when none waits. */
  unsavedForMs(): number {
    return this.#finishedUnsaved ? performance.now() - this.#unsavedSince : 0;
  }

  /** Commits finished nodes before anything that follows them starts. */
  async commitFinished(): Promise<void> {
    if (!this.#finishedUnsaved) return;
    this.#finishedUnsaved = false;
    await this.#writer.flush();
  }

  /** Stops the heartbeat. */
  stop(): void {
    clearInterval(this.#heartbeat);
  }

  /** Stores the rest of the logs and state; resolves to the first write error, if any. */
  async close(): Promise<unknown> {
    await this.deps.logs.flush();
    await this.#writer.flush();
    return this.#writer.error;
  }

  /** Reports the end of the run. */
  runFinished(status: RunResultStatus, durationMs: number): void {
    this.deps.reporter.report({ type: 'run.finished', run: this.run.id, status, durationMs });
  }
}
