/**
 * Where a pass applies an application's action. An environment on this machine is the controller's
 * platform; an environment with hosts is one application per region (`<env>@<region>`, the scope
 * its rollouts are recorded under) on the region's hosts, and a sync of a revision to any of its
 * regions is one fleet deploy of the environment (its waves, offsets and `rollback:` policy), made
 * once per pass and shared by the regions. A sync into an environment behind `manual_approval`
 * waits at its gate (sync-gate.ts) first, one gate per service and environment.
 */
import { gatedEnvironments } from '../config/deploy-targets.js';
import type { ResolvedFleet } from '../config/resolved.js';
import type { Platform, ServiceRef, ServiceStatus } from '../platform/platform.js';
import type { ControllerDeps } from '../rollout/controller/controller-types.js';
import { deployFleet } from '../rollout/fleet/fleet-deploy.js';
import { type FleetHosts, type FleetHostsOptions, openFleetHosts } from '../rollout/fleet/fleet-hosts.js';
import type { RegionDeployStatus } from '../rollout/fleet/fleet-waves.js';
import { parseScope, regionScope } from '../rollout/fleet/region-platform.js';
import { deploy } from '../rollout/rollout-service.js';
import type { AppliedAction } from './apply-order.js';
import type { DesiredState } from './desired-state.js';
import { endGate, type GateState, startGate, syncGate } from './sync-gate.js';

/** What a sync to a revision ended as, for one application. */
export interface SyncResult {
  readonly status: AppliedAction['status'];
  readonly reason?: string;
  /** The gate run of a gated sync. */
  readonly run?: number;
  /** A rejection this pass found first (recorded once). */
  readonly freshRejection?: boolean;
}

/** One application's place: the platform and the ref its services run under there. */
export interface SyncTarget {
  readonly platform: Platform;
  readonly ref: ServiceRef;
  /** Deploys `revision` (through the gate of a gated environment). */
  sync(kind: 'sync' | 'heal', revision: string): Promise<SyncResult>;
}

/** A sync of a revision to every region of an environment's fleet. */
interface FleetSync {
  readonly service: string;
  readonly env: string;
  readonly fleet: ResolvedFleet;
  readonly kind: 'sync' | 'heal';
  readonly revision: string;
}

/** What a pass's targets are made from. */
export interface TargetContext {
  readonly desired: DesiredState;
  readonly controller: ControllerDeps;
  readonly actor: string;
  readonly branch: string;
  readonly force: boolean;
  readonly readyTimeoutMs?: number;
}

/** The fleets of a pass's desired state, connected on first use and closed at the end of the pass. */
export class PassFleets {
  readonly #hosts = new Map<string, FleetHosts>();
  /** One fleet deploy per service and environment in a pass, shared by its regions. */
  readonly #syncs = new Map<string, Promise<Map<string, SyncResult>>>();

  constructor(
    private readonly desired: DesiredState,
    private readonly options: FleetHostsOptions,
  ) {}

  /** The environments with hosts, with their fleets. */
  environments(): [string, ResolvedFleet][] {
    return Object.entries(this.desired.config.environments).flatMap(([env, settings]) =>
      settings.fleet ? [[env, settings.fleet] as [string, ResolvedFleet]] : [],
    );
  }

  hosts(env: string, fleet: ResolvedFleet): FleetHosts {
    let hosts = this.#hosts.get(env);
    if (!hosts) {
      hosts = openFleetHosts(this.desired.config, env, fleet, this.options);
      this.#hosts.set(env, hosts);
    }
    return hosts;
  }

  /**
   * What each region of each fleet runs, by scope; a region whose hosts cannot be reached is left
   * out with the reason (its applications are not planned this pass).
   */
  async observe(): Promise<{ statuses: ServiceStatus[]; unreachable: { scope: string; error: string }[] }> {
    const statuses: ServiceStatus[] = [];
    const unreachable: { scope: string; error: string }[] = [];
    await Promise.all(
      this.environments().flatMap(([env, fleet]) =>
        fleet.waves.map(async ({ region }) => {
          const scope = regionScope(env, region);
          try {
            const listed = await this.hosts(env, fleet).regionPlatform(region).list();
            statuses.push(...listed.filter((status) => status.env === scope));
          } catch (error) {
            unreachable.push({ scope, error: error instanceof Error ? error.message : String(error) });
          }
        }),
      ),
    );
    return { statuses, unreachable };
  }

  /** The fleet deploy of a service to an environment in this pass (started by the first region that asks). */
  fleetSync(context: TargetContext, request: FleetSync): Promise<Map<string, SyncResult>> {
    const key = `${request.service}/${request.env}`;
    let running = this.#syncs.get(key);
    if (!running) {
      running = this.#deployFleet(context, request);
      this.#syncs.set(key, running);
    }
    return running;
  }

  async #deployFleet(context: TargetContext, request: FleetSync): Promise<Map<string, SyncResult>> {
    const { service, env, fleet, kind, revision } = request;
    const everyRegion = (result: SyncResult) => new Map(fleet.waves.map((w) => [w.region, result]));
    const failed = context.force ? undefined : await failedBefore(context, service, env, revision);
    if (failed)
      return everyRegion({
        status: 'rolled_back',
        reason: `its sync ended ${failed} before; a new commit or \`slipway gitops sync --force\` retries it`,
      });
    const hosts = this.hosts(env, fleet);
    const { platform: _local, ...rest } = context.controller;
    const gated = await throughGate(context, service, env, kind, revision, async () => {
      const outcome = await deployFleet(
        { ...rest, regionPlatform: (region) => hosts.regionPlatform(region) },
        {
          config: context.desired.config,
          projectDir: context.desired.projectDir,
          gitDir: context.desired.gitDir,
          service,
          env,
          actor: context.actor,
          commitSha: context.desired.commit.commit,
          fleet,
          ...(context.readyTimeoutMs !== undefined ? { readyTimeoutMs: context.readyTimeoutMs } : {}),
        },
      );
      return { ok: outcome.status === 'completed', value: outcome };
    });
    if (!('value' in gated)) return everyRegion(gated);
    return new Map(
      gated.value.regions.map((r) => [
        r.region,
        {
          status: REGION_STATUS[r.status],
          ...(r.error || r.status === 'skipped'
            ? { reason: r.error ?? 'skipped: an earlier wave failed' }
            : {}),
        },
      ]),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.#hosts.values()].map((hosts) => hosts.close()));
  }
}

const REGION_STATUS: Readonly<Record<RegionDeployStatus, AppliedAction['status']>> = {
  completed: 'completed',
  unchanged: 'unchanged',
  rolled_back: 'rolled_back',
  reverted: 'rolled_back',
  failed: 'failed',
  skipped: 'failed',
};

/** How an earlier sync of `revision` to a region of `env` ended, when it failed there. */
async function failedBefore(
  context: TargetContext,
  service: string,
  env: string,
  revision: string,
): Promise<string | undefined> {
  const events = await context.controller.store.listEvents({ types: ['gitops.failed'], service });
  const failed = events.find(
    (e) =>
      e.environment !== null &&
      parseScope(e.environment).env === env &&
      e.data.revision === revision &&
      ['rolled_back', 'aborted', 'failed'].includes(String(e.data.status)),
  );
  return failed ? `${String(failed.data.status)} in ${failed.environment}` : undefined;
}

/**
 * Runs `deployIt` behind the gate of a gated environment (straight away elsewhere): waiting or
 * refused is a result of its own; an approved gate is marked running, then ended by the outcome.
 */
async function throughGate<T>(
  context: TargetContext,
  service: string,
  env: string,
  kind: 'sync' | 'heal',
  revision: string,
  deployIt: () => Promise<{ ok: boolean; busy?: boolean; value: T }>,
): Promise<SyncResult | { value: T }> {
  const { controller, desired } = context;
  let gate: GateState | undefined;
  if (gatedEnvironments(desired.config).has(env)) {
    gate = await syncGate(
      controller.store,
      {
        service,
        env,
        revision,
        commit: desired.commit.commit,
        branch: context.branch,
        subject: desired.commit.subject,
        action: kind,
        force: context.force,
      },
      context.actor,
      controller.clock.now(),
    );
    if (gate.status === 'pending') return { status: 'waiting', run: gate.run };
    if (gate.status === 'rejected')
      return {
        status: 'rejected',
        run: gate.run,
        freshRejection: gate.fresh,
        reason: `not approved (${gate.by}); a new commit or \`slipway gitops sync --force\` asks again`,
      };
    await startGate(controller.store, gate.run, controller.clock.now());
  }
  const done = await deployIt();
  // A busy environment leaves the gate approved: the next pass deploys it.
  if (gate && !done.busy)
    await endGate(controller.store, gate.run, done.ok ? 'success' : 'failure', controller.clock.now());
  return { value: done.value };
}

/** The target of one application of the plan. */
export function targetOf(
  context: TargetContext,
  fleets: PassFleets | undefined,
  service: string,
  scope: string,
): SyncTarget {
  const { env, region } = parseScope(scope);
  const fleet = region === undefined ? undefined : context.desired.config.environments[env]?.fleet;
  if (region !== undefined && fleets && fleet) {
    const platform = fleets.hosts(env, fleet).regionPlatform(region);
    return {
      platform,
      ref: { service, env },
      sync: async (kind, revision) => {
        const results = await fleets.fleetSync(context, { service, env, fleet, kind, revision });
        return (
          results.get(region) ?? { status: 'failed', reason: `the fleet of ${env} has no region ${region}` }
        );
      },
    };
  }
  const ref = { service, env: scope };
  return {
    platform: context.controller.platform,
    ref,
    sync: async (kind, revision) => {
      const gated = await throughGate(context, service, scope, kind, revision, async () => {
        const outcome = await deploy(context.controller, {
          config: context.desired.config,
          projectDir: context.desired.projectDir,
          gitDir: context.desired.gitDir,
          service,
          env: scope,
          actor: context.actor,
          commitSha: context.desired.commit.commit,
          ...(context.readyTimeoutMs !== undefined ? { readyTimeoutMs: context.readyTimeoutMs } : {}),
        });
        const ok = outcome.status === 'completed' || outcome.status === 'unchanged';
        return { ok, busy: outcome.status === 'busy', value: outcome };
      });
      if (!('value' in gated)) return gated;
      const outcome = gated.value;
      const reason = 'reason' in outcome && typeof outcome.reason === 'string' ? outcome.reason : undefined;
      return { status: outcome.status, ...(reason ? { reason } : {}) };
    },
  };
}
