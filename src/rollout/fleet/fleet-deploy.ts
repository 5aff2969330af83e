/**
 * Deploys one service over an environment's fleet, a region per wave in order: each wave is an
 * ordinary deploy (the environment's strategy and analysis) against the region's hosts, recorded
 * under the region's scope `<env>@<region>`. A wave waits for its offset and for the wave before it
 * to complete; after a failure no later wave starts, and with `rollback: all` every region already
 * changed goes back to what it served before. Once the first region's new instances are ready,
 * the revision is shipped to the later regions' hosts while the first wave runs (nothing they serve changes until
 * their own wave). The `fleet.*` events record the run.
 */
import type { ResolvedFleet } from '../../config/resolved.js';
import type { Platform, ServiceRef } from '../../platform/platform.js';
import type { EventType } from '../../store/event-types.js';
import type { ControllerDeps } from '../controller/controller-types.js';
import {
  activeRollout,
  type DeployInput,
  type DeployOutcome,
  deploy,
  rollback,
  stableOf,
} from '../rollout-service.js';
import {
  type FleetDeployOutcome,
  fleetScopes,
  type RegionDeployResult,
  type RegionScope,
  regionsToRevert,
  waveStartAt,
} from './fleet-waves.js';
import { regionScope } from './region-platform.js';

/** What a fleet deploy is wired with: the controller's dependencies, with a platform per region. */
export interface FleetDeps extends Omit<ControllerDeps, 'platform'> {
  /** The platform of a region's hosts (a RegionPlatform in production). */
  readonly regionPlatform: (region: string) => Platform;
  /** How a region's rollout events are reported (default `report` for every region). */
  readonly reportFor?: (region: string) => ControllerDeps['report'];
}

/** A deploy over the fleet of `input.env`. */
export interface FleetDeployInput extends Omit<DeployInput, 'scope'> {
  readonly fleet: ResolvedFleet;
}

/** Runs the waves; returns per region what happened instead of throwing halfway. */
export async function deployFleet(deps: FleetDeps, input: FleetDeployInput): Promise<FleetDeployOutcome> {
  const id = `${input.service}@${input.env}/${deps.clock.now()}`;
  const record = (type: EventType, data: Record<string, unknown>) =>
    deps.store.appendEvent({
      type,
      actor: input.actor,
      service: input.service,
      environment: input.env,
      commitSha: input.commitSha,
      subject: `fleet/${id}`,
      data: { fleet: id, ...data },
    });
  // Offsets count from the fleet.started event as the log has it, so no wave is logged early.
  const { time: startedAt } = await record('fleet.started', {
    regions: input.fleet.waves.map((w) => ({
      region: w.region,
      scope: regionScope(input.env, w.region),
      offsetMs: w.offsetMs,
      hosts: input.fleet.regions[w.region] ?? [],
    })),
    rollback: input.fleet.rollback,
  });
  let staging: Promise<unknown> = Promise.resolve();
  let staged = false;
  const stage = () => {
    if (staged) return;
    staged = true;
    staging = stageLaterRegions(deps, input);
  };
  try {
    return await runWaves(deps, input, { id, startedAt, record, stage, staging: () => staging });
  } finally {
    await staging;
  }
}

/** What the waves of one fleet deploy share. */
interface FleetRun {
  readonly id: string;
  readonly startedAt: number;
  readonly record: (type: EventType, data: Record<string, unknown>) => Promise<unknown>;
  /** Starts staging the later regions (once; later calls do nothing). */
  readonly stage: () => void;
  /** Settles when the later regions' staging has, or at once when none started (never rejects). */
  readonly staging: () => Promise<unknown>;
}

/**
 * Makes the revision on every host of the regions after the first at once, while the first wave
 * runs: their logins, agents and the shipment are then done when their waves come. A revision
 * shipped changes nothing a host serves, so a region whose wave never runs still serves what it
 * did. A failure here is not reported: the region's wave makes the revision again, and fails
 * naming the host if it still cannot.
 */
function stageLaterRegions(deps: FleetDeps, input: FleetDeployInput): Promise<unknown> {
  const service = input.config.services[input.service];
  if (!service) return Promise.resolve();
  const regions = input.fleet.waves.slice(1).map((w) => w.region);
  return Promise.allSettled(
    regions.map(async (region) =>
      deps.regionPlatform(region).createRevision({ service, baseDir: input.projectDir }),
    ),
  );
}

/** The steps that come once the new revision's first instances are ready (reported as they begin). */
const SERVING_STEPS: ReadonlySet<string> = new Set(['traffic', 'promote', 'pause']);

/**
 * The first wave's dependencies: once its region's new instances are ready (it reports its first
 * traffic, promote or pause step, a measurement, or the end of its rollout), staging starts. Until
 * then the wave's own logins, shipment and instance starts are the deploy's critical path, and
 * staging the same work on more hosts at once would share the machine with them and delay them;
 * from then on staging overlaps the wave's holds and analysis, which wait on the clock.
 */
function stagingOnceServing(deps: FleetDeps, stage: () => void): FleetDeps {
  return {
    ...deps,
    reportFor: (region) => {
      const report = deps.reportFor?.(region) ?? deps.report;
      return (event) => {
        if (event.type !== 'rollout.step' || SERVING_STEPS.has(event.action)) stage();
        report(event);
      };
    },
  };
}

/** The waves in order, then the fleet's outcome (regions put back after a failure). */
async function runWaves(
  deps: FleetDeps,
  input: FleetDeployInput,
  { id, startedAt, record, stage, staging }: FleetRun,
): Promise<FleetDeployOutcome> {
  const scopes = fleetScopes(input.env, input.fleet);
  const results: RegionDeployResult[] = [];
  let revision: string | null = null;
  let previousDoneAt: number | undefined;
  let failure: { region: string; reason: string } | undefined;
  for (const [index, wave] of input.fleet.waves.entries()) {
    const { scope } = scopes[index] as RegionScope;
    if (failure) {
      results.push({ region: wave.region, scope, status: 'skipped' });
      continue;
    }
    const startAt = waveStartAt(startedAt, wave.offsetMs, previousDoneAt);
    // A timer may fire a millisecond before the clock reads its time: a wave never starts early.
    while (startAt > deps.clock.now() && !deps.signal?.aborted)
      await deps.clock.sleep(startAt - deps.clock.now(), deps.signal);
    if (deps.signal?.aborted) {
      // This process is shutting down: the waves not started stay undone and nothing is put back.
      failure = { region: wave.region, reason: 'this process stopped before the wave started' };
      results.push({ region: wave.region, scope, status: 'skipped' });
      continue;
    }
    await record('fleetwave.started', {
      region: wave.region,
      scope,
      wave: index + 1,
      offsetMs: wave.offsetMs,
      afterMs: deps.clock.now() - startedAt,
    });
    const hooks = { preDeploy: index === 0, postDeploy: index === input.fleet.waves.length - 1 };
    const waveDeps = index === 0 ? stagingOnceServing(deps, stage) : deps;
    const result = await runWave(waveDeps, input, wave.region, scope, hooks);
    revision ??= result.revision ?? null;
    results.push(result.result);
    previousDoneAt = deps.clock.now();
    const { status, rollout, error } = result.result;
    if (status === 'completed' || status === 'unchanged') {
      stage();
      await record('fleetwave.completed', { region: wave.region, scope, status, revision, rollout });
    } else {
      failure = { region: wave.region, reason: error ?? status };
      await record('fleetwave.failed', {
        region: wave.region,
        scope,
        status,
        revision,
        rollout,
        reason: failure.reason,
      });
    }
  }

  // Whatever the later regions' staging still does ends before the deploy does.
  await staging();
  if (!failure) {
    await record('fleet.completed', { revision, regions: results.map(summary) });
    return { status: 'completed', id, revision, regions: results };
  }
  const toRevert = deps.signal?.aborted ? [] : regionsToRevert(input.fleet.rollback, results);
  const reverted = await revert(deps, input, toRevert);
  const regions = results.map((r) => reverted.get(r.region) ?? r);
  const reason = `wave ${failure.region} failed: ${failure.reason}`;
  await record('fleet.failed', {
    revision,
    region: failure.region,
    reason,
    regions: regions.map(summary),
  });
  return { status: 'failed', id, revision, regions, reason };
}

/** The outcome of acting on one region scope. */
export type RegionActionResult<T> = RegionScope &
  ({ readonly status: 'done'; readonly value: T } | { readonly status: 'failed'; readonly error: unknown });

/**
 * Runs `act` on every region scope of `env`'s fleet (or only `region`'s), one after the other in
 * wave order, collecting each region's result or error: how pause, promote, abort and rollback
 * reach a fleet. The service's ref in a region is `{service, env: scope}`, driven with the region's
 * platform.
 */
export async function actOnRegions<T>(
  env: string,
  fleet: ResolvedFleet,
  region: string | undefined,
  act: (scope: RegionScope) => Promise<T>,
): Promise<readonly RegionActionResult<T>[]> {
  const results: RegionActionResult<T>[] = [];
  for (const scope of fleetScopes(env, fleet, region)) {
    try {
      results.push({ ...scope, status: 'done', value: await act(scope) });
    } catch (error) {
      results.push({ ...scope, status: 'failed', error });
    }
  }
  return results;
}

/** The controller's dependencies for one region: its platform and its reporter. */
export function regionDeps(deps: FleetDeps, region: string): ControllerDeps {
  const { regionPlatform, reportFor, ...rest } = deps;
  return { ...rest, platform: regionPlatform(region), report: reportFor?.(region) ?? rest.report };
}

/** One wave: a deploy into the region's scope, never throwing. */
async function runWave(
  deps: FleetDeps,
  input: FleetDeployInput,
  region: string,
  scope: string,
  hooks: NonNullable<DeployInput['hooks']>,
): Promise<{ result: RegionDeployResult; revision?: string }> {
  const controller = regionDeps(deps, region);
  const ref: ServiceRef = { service: input.service, env: scope };
  let before: string | null = null;
  const lastBefore = await latestRollout(deps, ref);
  try {
    // The revision is made (built here, shipped to the region's hosts) while what they serve is
    // asked: both wait for the hosts' connections. The deploy below then finds it made.
    const service = input.config.services[input.service];
    const making = service && controller.platform.createRevision({ service, baseDir: input.projectDir });
    making?.catch(() => undefined);
    before = stableOf(await controller.platform.status(ref))?.id ?? null;
    const { fleet: _fleet, ...deployInput } = input;
    const outcome: DeployOutcome = await deploy(controller, { ...deployInput, scope, hooks });
    const started = await latestRollout(deps, ref);
    const rollout = started && started.id !== lastBefore?.id ? started : undefined;
    const base = { region, scope, before, ...(rollout ? { rollout: rollout.id } : {}) };
    const revision = outcome.status === 'unchanged' ? outcome.revision : rollout?.revision;
    const withRevision = revision === undefined ? {} : { revision };
    if (outcome.status === 'unchanged' || outcome.status === 'completed')
      return { result: { ...base, status: outcome.status }, ...withRevision };
    if (outcome.status === 'rolled_back' || outcome.status === 'aborted')
      return {
        result: { ...base, status: 'rolled_back', error: outcome.reason ?? outcome.status },
        ...withRevision,
      };
    const error =
      outcome.status === 'busy'
        ? `another controller drives the rollout (${outcome.owner})`
        : 'this process stopped driving the rollout';
    return { result: { ...base, status: 'failed', error }, ...withRevision };
  } catch (error) {
    // A wave that threw halfway may have left its rollout running: abort it, which puts the region back.
    const found = await activeRollout(deps.store, ref).catch(() => undefined);
    const active = found && found.id !== lastBefore?.id ? found : undefined;
    if (active) {
      await rollback(controller, { ref, actor: input.actor, workdir: input.projectDir }).catch(
        () => undefined,
      );
    }
    return {
      result: {
        region,
        scope,
        before,
        status: 'failed',
        error: error instanceof Error ? error.message : String(error),
        ...(active ? { rollout: active.id } : {}),
      },
      ...(active ? { revision: active.revision } : {}),
    };
  }
}

/**
 * Puts regions back on what they served before the deploy: a rollback to that revision, or, for a
 * region that served nothing before, the service removed from its hosts (nothing of it runs there,
 * as before the deploy). Returns the new result of each region, `reverted` or `failed`.
 */
async function revert(
  deps: FleetDeps,
  input: FleetDeployInput,
  regions: readonly RegionDeployResult[],
): Promise<Map<string, RegionDeployResult>> {
  const results = new Map<string, RegionDeployResult>();
  for (const region of regions) {
    const controller = regionDeps(deps, region.region);
    const ref: ServiceRef = { service: input.service, env: region.scope };
    try {
      if (region.before) {
        const outcome = await rollback(controller, {
          ref,
          to: region.before,
          actor: input.actor,
          workdir: input.projectDir,
        });
        if (outcome.status !== 'completed') throw new Error(`rolling back ended ${outcome.status}`);
      } else {
        await controller.platform.remove(ref);
      }
      results.set(region.region, { ...region, status: 'reverted' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.set(region.region, {
        ...region,
        status: 'failed',
        error: `putting it back failed: ${message}`,
      });
    }
  }
  return results;
}

async function latestRollout(deps: FleetDeps, ref: ServiceRef) {
  return (await deps.store.listRollouts({ service: ref.service, environment: ref.env, limit: 1 }))[0];
}

function summary(result: RegionDeployResult): Record<string, unknown> {
  return {
    region: result.region,
    status: result.status,
    ...(result.rollout === undefined ? {} : { rollout: result.rollout }),
    ...(result.before === undefined ? {} : { before: result.before }),
    ...(result.error === undefined ? {} : { error: result.error }),
  };
}
