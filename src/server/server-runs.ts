// Pipeline runs the server starts: each in the background with its own AbortController, so cancel never signals the server.
import { availableParallelism } from 'node:os';
import type { ResolvedConfig } from '../config/resolved.js';
import { cancelRun } from '../pipeline/cancel-run.js';
import { PipelineError } from '../pipeline/errors.js';
import { type GitInfo, readGitInfo } from '../pipeline/git-info.js';
import type { PipelineDeps } from '../pipeline/pipeline-deps.js';
import type { PlanSelection } from '../pipeline/plan.js';
import { rerunRun } from '../pipeline/rerun-run.js';
import { resumeRun } from '../pipeline/resume-run.js';
import type { Reporter } from '../pipeline/run-events.js';
import { startRun } from '../pipeline/start-run.js';
import { LEASE_STALE_AFTER_MS, leaseOwnerIsGone } from '../store/lease-owner.js';
import type { Clock, Store } from '../store/store.js';
import { type BackgroundTasks, type ServerLogger, startObserved } from './background.js';
import { ApiError } from './errors.js';

/** What the server's runs need. */
export interface ServerRunsDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: ServerLogger;
  readonly tasks: BackgroundTasks;
  readonly projectDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly concurrency?: number;
  readonly slipwayCommand?: readonly string[];
  readonly pollMs?: number;
  /** This server's name as a lease holder of runs (and rollouts). */
  readonly owner: string;
}

/** Where a run executes when not in the project directory (a webhook's workspace), and what started it. */
export interface RunCheckout {
  readonly projectDir: string;
  readonly git: GitInfo;
  readonly trigger: string;
}

/** Starts, re-runs and cancels runs inside the server process. */
export class ServerRuns {
  private readonly active = new Map<number, AbortController>();

  constructor(private readonly deps: ServerRunsDeps) {}

  /** Starts a run (in `checkout` when given, else the project directory); resolves with its id once it is recorded. */
  start(
    actor: string,
    config: ResolvedConfig,
    selection: PlanSelection,
    checkout?: RunCheckout,
  ): Promise<number> {
    const projectDir = checkout?.projectDir ?? this.deps.projectDir;
    return this.launch(
      actor,
      `run of ${config.project.name}`,
      (deps) => startRun(deps, { projectDir, config, selection, trigger: checkout?.trigger ?? 'api' }),
      checkout?.git,
    );
  }

  /** Re-runs a run (or its failed jobs); resolves with the new run's id. */
  rerun(actor: string, runId: number, failedOnly: boolean): Promise<number> {
    return this.launch(actor, `rerun of run ${runId}`, (deps) => rerunRun(deps, runId, failedOnly));
  }

  /** Cancels a run: aborts it when this server runs it, else asks its process (or marks it). */
  async cancel(actor: string, runId: number): Promise<'signalled' | 'marked'> {
    const controller = this.active.get(runId);
    if (controller) {
      controller.abort();
      return 'signalled';
    }
    const run = await this.deps.store.getRun(runId);
    if (run?.pid === process.pid)
      throw new ApiError(409, 'CONFLICT', `run ${runId} belongs to this server but is not running here`);
    // Another server's run: a signal would stop that whole server, so it is cancelled there.
    if (
      run?.owner &&
      run.owner !== this.deps.owner &&
      run.owner.endsWith(':server') &&
      ['queued', 'running', 'waiting'].includes(run.status) &&
      this.leaseIsLive(run.owner, run.heartbeatAt)
    )
      throw new ApiError(
        409,
        'CONFLICT',
        `run ${runId} is driven by another server (${run.owner}): cancel it through that server`,
      );
    return cancelRun(this.deps.store, this.deps.clock, actor, runId);
  }

  /**
   * Takes over the active runs whose lease holder died (a killed server or CLI): each is resumed
   * here, keeping its finished jobs. `claimRun` decides between servers racing for one run.
   */
  async adoptOrphans(): Promise<void> {
    const runs = await this.deps.store.listRuns({ status: ['queued', 'running', 'waiting'], limit: 100 });
    for (const run of runs) {
      // Runs from before leases have no owner: they are resumed by hand (`slipway resume`), never here.
      if (!run.owner || run.owner === this.deps.owner || this.active.has(run.id)) continue;
      if (this.leaseIsLive(run.owner, run.heartbeatAt)) continue;
      const controller = new AbortController();
      this.active.set(run.id, controller);
      const deps = this.pipelineDeps(this.deps.store, run.actor, controller.signal, {
        branch: run.branch,
        sha: run.commitSha,
      });
      const work = resumeRun(deps, run.id).then(
        (outcome) => this.deps.logger.info(`took over run ${run.id} from ${run.owner}: ${outcome.status}`),
        (error: unknown) => {
          // Another server won the race for it: nothing to report.
          if (error instanceof PipelineError && error.code === 'RUN_ACTIVE') return;
          throw error;
        },
      );
      this.deps.tasks.track(
        `takeover of run ${run.id}`,
        work.finally(() => this.active.delete(run.id)),
      );
    }
  }

  private leaseIsLive(owner: string, heartbeatAt: number | null): boolean {
    return !leaseOwnerIsGone(owner) && (heartbeatAt ?? 0) >= this.deps.clock.now() - LEASE_STALE_AFTER_MS;
  }

  /** Aborts every run this server started (on shutdown). */
  abortAll(): void {
    for (const controller of this.active.values()) controller.abort();
  }

  private async launch(
    actor: string,
    name: string,
    work: (deps: PipelineDeps) => Promise<unknown>,
    git?: GitInfo,
  ): Promise<number> {
    const controller = new AbortController();
    const started = await startObserved(
      this.deps.tasks,
      name,
      this.deps.store,
      'createRun',
      async (store, created) => {
        let runId: number | undefined;
        void created.then((id) => {
          runId = id;
          this.active.set(id, controller);
        });
        try {
          return await work(this.pipelineDeps(store, actor, controller.signal, git));
        } finally {
          if (runId !== undefined) this.active.delete(runId);
        }
      },
      60_000,
    );
    if (started.kind !== 'created') throw new ApiError(500, 'INTERNAL', `${name} did not record a run`);
    return started.id;
  }

  private pipelineDeps(store: Store, actor: string, signal: AbortSignal, git?: GitInfo): PipelineDeps {
    const { logger } = this.deps;
    const reporter: Reporter = {
      report(event) {
        if (event.type === 'run.finished') logger.info(`run ${event.run} ${event.status}`);
      },
      close() {},
    };
    return {
      store,
      clock: this.deps.clock,
      reporter,
      env: this.deps.env,
      actor,
      concurrency: this.deps.concurrency ?? availableParallelism(),
      signal,
      git: git ?? readGitInfo(this.deps.projectDir),
      owner: this.deps.owner,
      ...(this.deps.pollMs === undefined ? {} : { pollMs: this.deps.pollMs }),
      ...(this.deps.slipwayCommand ? { slipwayCommand: this.deps.slipwayCommand } : {}),
    };
  }
}
