/**
 * The server's drift checks: each environment whose `infrastructure.drift.every` is set is checked
 * on that period, the first time one period after the server starts (or after the setting appears),
 * never at startup. One check per environment runs at a time: a round that finds the previous check
 * still running, or the environment held by another operation (a run's plan or apply, `slipway
 * infra`, a check on demand), skips it and logs why. The config is read again every round, so a
 * changed period needs no restart. `check` runs one now with the same wiring, for the API.
 */
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/resolved.js';
import { type DriftReport, detectDrift } from '../infra/detect-drift.js';
import { InfraError } from '../infra/errors.js';
import type { InfraDeps } from '../infra/infra-deps.js';
import type { Store } from '../store/store.js';
import type { WaitingClock } from '../store/waiting-clock.js';
import type { BackgroundTasks, ServerLogger } from './background.js';
import { ApiError } from './errors.js';

/** When each environment's next check is due, and its period. */
export type DriftSchedule = ReadonlyMap<string, { readonly everyMs: number; readonly nextAt: number }>;

/** What one round decides. */
export interface DriftRound {
  readonly schedule: DriftSchedule;
  /** Environments to check now. */
  readonly due: readonly string[];
  /** Environments due whose previous check still runs: skipped this round. */
  readonly skipped: readonly string[];
  /** When the next check is due (Infinity when no environment has a period). */
  readonly wakeAt: number;
}

/** The shortest period: a `drift.every` of `0s` would otherwise check without pause. */
export const MIN_DRIFT_EVERY_MS = 1000;

/**
 * One round of the schedule, as data: `wanted` maps each environment to its period. A new
 * environment, or one whose period changed, is due one period from `now`; a due one is checked
 * (or skipped while `running`) and due again one period later; one no longer wanted is dropped.
 */
export function planDriftRound(
  schedule: DriftSchedule,
  wanted: ReadonlyMap<string, number>,
  now: number,
  running: ReadonlySet<string>,
): DriftRound {
  const next = new Map<string, { everyMs: number; nextAt: number }>();
  const due: string[] = [];
  const skipped: string[] = [];
  for (const [environment, every] of wanted) {
    const everyMs = Math.max(MIN_DRIFT_EVERY_MS, every);
    const current = schedule.get(environment);
    if (!current || current.everyMs !== everyMs) {
      next.set(environment, { everyMs, nextAt: now + everyMs });
      continue;
    }
    if (current.nextAt > now) {
      next.set(environment, current);
      continue;
    }
    (running.has(environment) ? skipped : due).push(environment);
    next.set(environment, { everyMs, nextAt: now + everyMs });
  }
  const wakeAt = Math.min(Number.POSITIVE_INFINITY, ...[...next.values()].map((s) => s.nextAt));
  return { schedule: next, due, skipped, wakeAt };
}

/** The periods of the environments of `config` that set `infrastructure.drift.every`. */
export function driftPeriods(config: ResolvedConfig): Map<string, number> {
  const periods = new Map<string, number>();
  for (const [name, environment] of Object.entries(config.environments)) {
    const every = environment.infrastructure?.driftEveryMs;
    if (every !== undefined) periods.set(name, every);
  }
  return periods;
}

/** What the loop is wired with. */
export interface InfraDriftLoopDeps {
  readonly store: Store;
  /** slipway.yaml's directory; saved plans and scratch files live under its `.slipway/`. */
  readonly projectDir: string;
  readonly loadConfig: () => Promise<ResolvedConfig>;
  /** The environment Terraform starts from (the server's own, usually). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What rounds read and wait on; a fake one runs them at once. */
  readonly clock: WaitingClock;
  readonly tasks: BackgroundTasks;
  readonly logger: ServerLogger;
  /** Aborts running checks (their Terraform processes) when the server closes. */
  readonly signal: AbortSignal;
  /** How often the config is read again when no check is due sooner (default 30 s). */
  readonly recheckMs?: number;
  /** The longest one check may run before it is aborted (default 30 min). */
  readonly timeoutMs?: number;
  /** Told after each scheduled check: its report, or why it failed or was skipped (tests, metrics). */
  readonly onCheck?: (environment: string, outcome: DriftReport | Error) => void;
}

/** The actor of the `infra.drifted` events of scheduled checks. */
export const DRIFT_ACTOR = 'slipway';

/** Runs the scheduled drift checks of the server's project, and checks on demand with the same wiring. */
export class InfraDriftLoop {
  #schedule: DriftSchedule = new Map();
  readonly #running = new Set<string>();
  readonly #stop = new AbortController();
  #started = false;
  #configError: string | undefined;

  constructor(private readonly deps: InfraDriftLoopDeps) {}

  /** Starts the rounds; the first checks come one period later. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.deps.tasks.track('infra drift loop', this.#rounds());
  }

  /** Ends the rounds; running checks end with the server's signal. */
  stop(): void {
    this.#stop.abort();
  }

  /**
   * Checks `environment` now as `actor`: 404 when the config has no such environment, INFRA_NOT_CONFIGURED
   * without `infrastructure.terraform`, INFRA_BUSY when another operation holds it.
   */
  async check(environment: string, actor: string): Promise<DriftReport> {
    return this.#detect(await this.deps.loadConfig(), environment, actor);
  }

  async #detect(config: ResolvedConfig, environment: string, actor: string): Promise<DriftReport> {
    const target = config.environments[environment];
    if (!target) {
      const known = Object.keys(config.environments);
      throw new ApiError(
        404,
        'ENVIRONMENT_NOT_FOUND',
        `no environment '${environment}' in slipway.yaml${known.length > 0 ? ` (environments: ${known.join(', ')})` : ''}`,
      );
    }
    if (!target.infrastructure)
      throw new InfraError(
        'INFRA_NOT_CONFIGURED',
        `environment '${environment}' has no infrastructure: block in slipway.yaml`,
      );
    const signal = AbortSignal.any([
      this.deps.signal,
      AbortSignal.timeout(this.deps.timeoutMs ?? 30 * 60_000),
    ]);
    const deps: InfraDeps = {
      store: this.deps.store,
      project: config.project.name,
      projectDir: this.deps.projectDir,
      stateDir: join(this.deps.projectDir, '.slipway'),
      env: { ...this.deps.env },
      // Terraform's own lines would flood the server log; its errors carry what matters.
      log: () => {},
      signal,
      // A busy environment is not waited for: the check is refused (or skipped this round).
      waitMs: 0,
    };
    return detectDrift(deps, { environment, infrastructure: target.infrastructure, actor });
  }

  async #rounds(): Promise<void> {
    const stop = this.#stop.signal;
    while (!stop.aborted) {
      const config = await this.#config();
      const now = this.deps.clock.now();
      // An unreadable config keeps the schedule as it was until it can be read again.
      const wanted = config
        ? driftPeriods(config)
        : new Map([...this.#schedule].map(([env, s]) => [env, s.everyMs]));
      const round = planDriftRound(this.#schedule, wanted, now, this.#running);
      this.#schedule = round.schedule;
      for (const environment of round.skipped)
        this.#skipped(environment, new InfraError('INFRA_BUSY', 'its previous drift check still runs'));
      if (config) for (const environment of round.due) this.#scheduled(config, environment);
      const recheck = this.deps.recheckMs ?? 30_000;
      await this.deps.clock.sleep(Math.max(0, Math.min(round.wakeAt - now, recheck)), stop);
    }
  }

  async #config(): Promise<ResolvedConfig | undefined> {
    try {
      const config = await this.deps.loadConfig();
      this.#configError = undefined;
      return config;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Said once per problem, not every round.
      if (message !== this.#configError)
        this.deps.logger.error(`drift checks: slipway.yaml cannot be read: ${message}`);
      this.#configError = message;
      return undefined;
    }
  }

  #scheduled(config: ResolvedConfig, environment: string): void {
    this.#running.add(environment);
    const done = this.#detect(config, environment, DRIFT_ACTOR).then(
      (report) => {
        if (report.drifted) {
          const count = new Set([
            ...report.resources.map((r) => r.address),
            ...report.pending.changes.map((c) => c.address),
          ]).size;
          this.deps.logger.info(
            `drift in ${environment}: ${count} resource${count === 1 ? '' : 's'} differ (event ${report.eventId})`,
          );
        } else this.deps.logger.info(`no drift in ${environment}`);
        this.deps.onCheck?.(environment, report);
      },
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        if (failure instanceof InfraError && failure.code === 'INFRA_BUSY')
          this.#skipped(environment, failure);
        else {
          this.deps.logger.error(`drift check of ${environment} failed: ${failure.message}`);
          this.deps.onCheck?.(environment, failure);
        }
      },
    );
    const tracked = done.finally(() => this.#running.delete(environment));
    this.deps.tasks.track(`drift check of ${environment}`, tracked);
  }

  #skipped(environment: string, why: InfraError): void {
    this.deps.logger.info(`drift check of ${environment} skipped this round: ${why.message}`);
    this.deps.onCheck?.(environment, why);
  }
}
