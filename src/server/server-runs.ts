// Pipeline runs the server starts: each in the background with its own AbortController, so cancel never signals the server.
import { availableParallelism } from 'node:os';
import { type GitInfo, readGitInfo } from '../pipeline/git-info.js';
import { cancelRun, type PipelineDeps, rerunRun, startRun } from '../pipeline/pipeline-service.js';
import type { PlanSelection } from '../pipeline/plan.js';
import type { Reporter } from '../pipeline/report/run-events.js';
import type { ResolvedConfig } from '../spec/resolved.js';
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
    return cancelRun(this.deps.store, this.deps.clock, actor, runId);
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
      ...(this.deps.pollMs === undefined ? {} : { pollMs: this.deps.pollMs }),
      ...(this.deps.slipwayCommand ? { slipwayCommand: this.deps.slipwayCommand } : {}),
    };
  }
}
