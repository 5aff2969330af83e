// Leases across servers: runs and rollouts whose holder died (a killed server or CLI) are driven on here.
import type { ControllerDeps } from '../rollout/controller/controller-types.js';
import { controllerIsGone, RolloutController } from '../rollout/controller/rollout-controller.js';
import type { Clock, Store } from '../store/store.js';
import type { BackgroundTasks, ServerLogger } from './background.js';
import type { ServerRuns } from './server-runs.js';

/** What the takeover loop needs. */
export interface TakeoverDeps {
  readonly store: Store;
  readonly tasks: BackgroundTasks;
  readonly logger: ServerLogger;
  /** Controller dependencies of this server (its `owner` is the lease holder's name). */
  readonly controllerDeps: () => ControllerDeps;
  /** The server's runs, which adopt orphaned pipeline runs. */
  readonly runs: ServerRuns;
  /** How often to look for orphans (default 1 s). */
  readonly everyMs?: number;
  /** The server's clock: a lease is stale when its heartbeat is older than the controller's limit. */
  readonly clock: Clock;
}

/**
 * Looks for active runs and rollouts nobody drives and drives them here. A lease is the row's
 * owner and heartbeat in the store: `claimRun` and `claimRollout` are one conditional UPDATE
 * each, so when several servers see the same orphan exactly one wins and the others back off.
 */
export class Takeover {
  private readonly driving = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private scanning = false;

  constructor(private readonly deps: TakeoverDeps) {}

  /** Starts scanning every `everyMs`. */
  start(): void {
    this.timer = setInterval(() => void this.scan(), this.deps.everyMs ?? 1000);
    this.timer.unref();
  }

  /** Stops scanning; rollouts being driven go on until the server's tasks are drained. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass: adopts every orphaned active run and rollout this server does not drive yet. */
  async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      await this.deps.runs.adoptOrphans();
    } catch (error) {
      this.deps.logger.error(
        `looking for orphaned runs failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    try {
      const now = this.deps.clock.now();
      const deps = this.deps.controllerDeps();
      const active = await this.deps.store.listRollouts({ active: true, limit: 100 });
      for (const rollout of active) {
        if (this.driving.has(rollout.id) || rollout.owner === deps.owner) continue;
        if (!controllerIsGone(rollout, now)) continue;
        this.driving.add(rollout.id);
        const work = new RolloutController(deps).drive(rollout.id).then((outcome) => {
          if (outcome.status !== 'busy')
            this.deps.logger.info(
              `took over rollout ${rollout.id} of ${rollout.service} in ${rollout.environment} from ${rollout.owner ?? 'nobody'}: ${outcome.status}`,
            );
        });
        this.deps.tasks.track(
          `takeover of rollout ${rollout.id}`,
          work.finally(() => this.driving.delete(rollout.id)),
        );
      }
    } catch (error) {
      this.deps.logger.error(
        `looking for orphaned rollouts failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.scanning = false;
    }
  }
}
