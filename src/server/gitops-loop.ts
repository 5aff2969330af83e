/**
 * The server's reconcile loop for the project's `gitops:` section: a pass every `interval` (with up
 * to a tenth of it as jitter, so several servers do not fetch in step), counted from the end of the
 * previous pass, and one at once when a push to the watched repository and branch arrives (the
 * GitHub webhook). Passes never overlap: a push during a pass runs one more right after it. The
 * config is read again before each pass, so adding or changing `gitops:` needs no restart. A pass
 * that fails (the fetch, an invalid desired state) is logged and the next one tries again. While
 * passes are suspended (`slipway gitops suspend`) they plan and change nothing.
 */
import { join, resolve } from 'node:path';
import type { ResolvedConfig, ResolvedGitOps } from '../config/resolved.js';
import { DesiredCache } from '../gitops/desired-state.js';
import { GitMirror } from '../gitops/git-mirror.js';
import { suspension } from '../gitops/gitops-state.js';
import { type PassResult, reconcileOnce } from '../gitops/reconcile-pass.js';
import { type RepositoryCredentials, repositoryCredentials } from '../gitops/repository-credentials.js';
import { repoKey } from '../projects/repo-address.js';
import type { ControllerDeps } from '../rollout/controller/controller-types.js';
import type { Store } from '../store/store.js';
import type { BackgroundTasks, ServerLogger } from './background.js';

/** What the loop is wired with. */
export interface GitOpsLoopDeps {
  readonly projectDir: string;
  readonly loadConfig: () => Promise<ResolvedConfig>;
  readonly controllerDeps: () => ControllerDeps;
  readonly tasks: BackgroundTasks;
  readonly logger: ServerLogger;
  /** A number in [0, 1) for the jitter (default Math.random). */
  readonly random?: () => number;
  /** Where repository tokens are read first (the server's environment); then `.slipway/secrets.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Told after every pass (tests, metrics). */
  readonly onPass?: (result: PassResult | Error, reason: string) => void;
}

/** The latest pass as the API shows it. */
export interface LastPass {
  readonly at: number;
  readonly reason: string;
  readonly suspended: boolean;
  readonly result?: PassResult;
  /** Why the pass failed (the fetch, an invalid desired state), with credentials hidden. */
  readonly error?: string;
}

/** How long to wait before the first pass when `gitops:` is not set (it is looked for again). */
const UNCONFIGURED_RECHECK_MS = 30_000;
/** How often the approvals of waiting syncs are looked at. */
const GATE_POLL_MS = 1000;

export class GitOpsLoop {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again: string | undefined;
  #stopped = false;
  #settings: ResolvedGitOps | undefined;
  /** The mirror of the watched repository and the desired states it gave, kept while the settings stay. */
  #mirror: { readonly key: string; readonly mirror: GitMirror; readonly cache: DesiredCache } | undefined;
  #force = false;
  #last: LastPass | undefined;
  /** Gates of syncs waiting for an approval after the latest pass, looked at every second. */
  #gates: readonly { readonly run: number; readonly env: string }[] = [];
  #gateTimer: NodeJS.Timeout | undefined;
  /** What the previous pass said of each gate (`run:status`): told once, not every pass. */
  #told = new Set<string>();

  constructor(private readonly deps: GitOpsLoopDeps) {}

  /** Runs the first pass at once, then on the interval. */
  start(): void {
    this.#stopped = false;
    this.trigger('start');
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#gateTimer);
    this.#timer = undefined;
  }

  /** True when a push of `ref` to a repository known by `keys` is the watched branch's. */
  watches(keys: ReadonlySet<string>, ref: string): boolean {
    const settings = this.#settings;
    if (!settings) return false;
    const { url, branch } = settings.repository;
    // A plain path is the project directory's; an URL or `host:path` is itself.
    const candidates = [repoKey(url), repoKey(resolve(this.deps.projectDir, url))];
    return ref === `refs/heads/${branch}` && candidates.some((key) => keys.has(key));
  }

  /** The settings read before the latest pass (or refresh), undefined without `gitops:`. */
  get settings(): ResolvedGitOps | undefined {
    return this.#settings;
  }

  /** The latest pass, once one ran. */
  get last(): LastPass | undefined {
    return this.#last;
  }

  /** Reads the settings now (the webhook asks before the first pass has run). */
  async refresh(): Promise<void> {
    this.#settings = (await this.deps.loadConfig().catch(() => undefined))?.gitops;
  }

  /**
   * A pass as soon as possible; during a pass, one more right after it. `force` makes that pass
   * retry a revision whose sync ended rolled back and undo drift without selfHeal.
   */
  trigger(reason: string, force = false): void {
    if (this.#stopped) return;
    this.#force ||= force;
    if (this.#running) {
      this.#again = reason;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const running = this.#pass(reason).finally(() => {
      this.#running = undefined;
      const again = this.#again;
      this.#again = undefined;
      if (again !== undefined) this.trigger(again);
      else this.#schedule();
    });
    this.#running = running;
    this.deps.tasks.track('gitops pass', running);
  }

  #schedule(): void {
    if (this.#stopped) return;
    const interval = this.#settings?.sync.intervalMs;
    const delay =
      interval === undefined
        ? UNCONFIGURED_RECHECK_MS
        : interval + Math.floor((this.deps.random ?? Math.random)() * interval * 0.1);
    this.#timer = setTimeout(() => this.trigger('interval'), delay);
    this.#timer.unref();
    this.#watchGates();
  }

  /** While syncs wait for approvals, a decision starts a pass within a second instead of an interval. */
  #watchGates(): void {
    clearTimeout(this.#gateTimer);
    if (this.#gates.length === 0 || this.#stopped) return;
    this.#gateTimer = setTimeout(async () => {
      if (this.#running) return;
      const store = this.deps.controllerDeps().store;
      try {
        for (const gate of this.#gates) {
          const [approval, run] = await Promise.all([
            store.getApproval(gate.run, gate.env),
            store.getRun(gate.run),
          ]);
          if (approval?.status !== 'pending' || run?.status !== 'waiting') return this.trigger('approval');
        }
      } catch (error) {
        this.deps.logger.error(
          `looking at gitops approvals failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      this.#watchGates();
    }, GATE_POLL_MS);
    this.#gateTimer.unref();
  }

  #mirrorFor(repository: ResolvedGitOps['repository'], credentials: RepositoryCredentials): GitMirror {
    const key = JSON.stringify([repository, credentials]);
    if (this.#mirror?.key !== key) {
      const mirror = new GitMirror(repository, {
        cacheDir: join(this.deps.projectDir, '.slipway', 'gitops'),
        baseDir: this.deps.projectDir,
        ...credentials,
      });
      this.#mirror = { key, mirror, cache: new DesiredCache() };
    }
    return this.#mirror.mirror;
  }

  /**
   * Records `gitops.degraded` for each application whose health became Degraded since the previous
   * pass of this server (what `health.degraded` notifications are made from).
   */
  async #recordDegraded(store: Store, result: PassResult, previous: PassResult | undefined): Promise<void> {
    const before = new Map((previous?.apps ?? []).map((app) => [`${app.service}/${app.env}`, app.health]));
    for (const app of result.apps) {
      if (app.health !== 'Degraded' || before.get(`${app.service}/${app.env}`) === 'Degraded') continue;
      await store.appendEvent({
        type: 'gitops.degraded',
        actor: 'gitops',
        service: app.service,
        environment: app.env,
        commitSha: result.desired.commit.commit,
        subject: `gitops/${app.service}/${app.env}`,
        data: {
          commit: result.desired.commit.commit,
          subject: result.desired.commit.subject,
          revision: app.revision ?? null,
          live: app.live ?? null,
          diff: [...app.diff],
        },
      });
    }
  }

  async #pass(reason: string): Promise<void> {
    const force = this.#force;
    this.#force = false;
    await this.refresh();
    const settings = this.#settings;
    if (!settings) return;
    try {
      const credentials = repositoryCredentials(
        settings.repository,
        this.deps.env ?? process.env,
        this.deps.projectDir,
      );
      const mirror = this.#mirrorFor(settings.repository, credentials);
      const controller = this.deps.controllerDeps();
      // The hosts of environments with hosts are reached with ssh's settings, as `slipway deploy` does.
      const sshConfig = (this.deps.env ?? process.env).SLIPWAY_SSH_CONFIG;
      // Suspended: the pass still reads and plans (status stays current), and changes nothing.
      const suspended = (await suspension(controller.store)) !== undefined;
      const result = await reconcileOnce(
        mirror,
        {
          controller,
          actor: 'gitops',
          fleet: {
            localStateDir: join(this.deps.projectDir, '.slipway'),
            client: { env: process.env, ...(sshConfig ? { configFile: sshConfig } : {}) },
          },
        },
        { sync: settings.sync, dryRun: suspended, force, cache: this.#mirror?.cache },
      );
      await this.#recordDegraded(controller.store, result, this.#last?.result);
      this.#last = { at: Date.now(), reason, suspended, result };
      if (suspended) {
        const out = result.apps.filter((app) => app.sync === 'OutOfSync').length;
        this.deps.logger.info(
          `gitops pass (${reason}) at ${result.desired.commit.commit.slice(0, 12)}: suspended, ${out} out of sync, nothing changed`,
        );
      }
      const told = new Set<string>();
      this.#gates = [];
      for (const done of result.applied) {
        if (done.run !== undefined && (done.status === 'waiting' || done.status === 'rejected')) {
          if (done.status === 'waiting') this.#gates = [...this.#gates, { run: done.run, env: done.env }];
          told.add(`${done.run}:${done.status}`);
          if (this.#told.has(`${done.run}:${done.status}`)) continue;
        }
        this.deps.logger.info(
          `gitops ${done.service}@${done.env}: ${done.action}${done.revision ? ` ${done.revision}` : ''} ${done.status}${done.status === 'waiting' ? ` for approval: slipway approve ${done.run} ${done.env}` : ''}${done.error ? `: ${done.error}` : ''}`,
        );
      }
      this.#told = told;
      this.deps.onPass?.(result, reason);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.deps.logger.error(`gitops pass (${reason}) failed: ${failure.message}`);
      this.#last = { at: Date.now(), reason, suspended: false, error: failure.message };
      this.deps.onPass?.(failure, reason);
    }
  }
}
