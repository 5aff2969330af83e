/**
 * The rollout use cases shared by front ends: start a deploy (plan, store, drive), resume an
 * orphaned one, send control requests, and roll back to an earlier revision.
 */

import type { ResolvedConfig, ResolvedHooks, ResolvedStrategy } from '../config/resolved.js';
import type { ResolvedMigrations } from '../config/resolved-migrations.js';
import type { ServiceRef, ServiceStatus } from '../platform/platform.js';
import { readSecretValues } from '../platform/secret-versions.js';
import { isStoreError } from '../store/errors.js';
import type { NewRollout, Rollout, Store } from '../store/store.js';
import type { ControllerDeps, RolloutOutcome } from './controller/controller-types.js';
import { controllerIsGone, RolloutController } from './controller/rollout-controller.js';
import type { RolloutSpec } from './controller/rollout-spec.js';
import { deliveryStart } from './delivery-record.js';
import { deploymentFor } from './deployment.js';
import { RolloutError } from './errors.js';
import { flagStrategyOf, rolloutFlag, serveDeclaredFlags } from './flag/flag-rollout-service.js';
import { planRollout } from './plan-rollout.js';

/** Default time new instances get to become ready. */
const READY_TIMEOUT_MS = 120_000;

/** The steps that change a database's schema or data: a deploy with one snapshots `before-migrations` databases. */
const MIGRATING_ACTIONS: ReadonlySet<string> = new Set(['preDeploy', 'expand']);

/** What starting a deploy needs. */
export interface DeployInput {
  readonly config: ResolvedConfig;
  readonly projectDir: string;
  readonly service: string;
  readonly env: string;
  /**
   * The environment name the rollout is recorded and driven under (default `env`), e.g. a region's
   * scope `<env>@<region>`; the config (strategy, analysis, port) is still read for `env`.
   */
  readonly scope?: string;
  /**
   * Which of the environment's hooks this rollout runs (default both): a fleet deploy runs
   * `preDeploy` only in its first wave and `postDeploy` only in its last. The service's `expand`
   * migration goes with `preDeploy` and its `contract` with `postDeploy`.
   */
  readonly hooks?: { readonly preDeploy: boolean; readonly postDeploy: boolean };
  readonly actor: string;
  readonly commitSha: string | null;
  /** The git repository the deploy's commits are read from (default `projectDir`), e.g. a GitOps mirror. */
  readonly gitDir?: string;
  /** Wait for an active rollout to end instead of refusing. */
  readonly queue?: boolean;
  readonly readyTimeoutMs?: number;
}

/** What a deploy did. */
export type DeployOutcome = RolloutOutcome | { readonly status: 'unchanged'; readonly revision: string };

/** The revision serving a service now: the stable role if it has traffic, else the highest weight. */
export function stableOf(status: ServiceStatus | undefined): { id: string; instances: number } | undefined {
  const serving = (status?.revisions ?? []).filter((r) => r.weight > 0);
  const stable =
    serving.find((r) => r.role === 'stable') ?? [...serving].sort((a, b) => b.weight - a.weight)[0];
  return stable ? { id: stable.id, instances: stable.desired } : undefined;
}

/**
 * Plans, records and drives a deploy of the service's current source and config. Where the
 * environment rolls out by flag (`featureFlag`), the revision is shipped dark first (a rolling
 * update), then the flag's variant is rolled out; the outcome is the flag rollout's.
 */
export async function deploy(deps: ControllerDeps, input: DeployInput): Promise<DeployOutcome> {
  // Instances read flags from their host's agent (OFREP_ENDPOINT): it serves them before any starts.
  await serveDeclaredFlags(deps, input.config, input.actor);
  const outcome = await deployRevision(deps, input);
  // A fleet wave (a scoped deploy) ships revisions only: the flag is one for the whole fleet.
  const strategy =
    input.scope === undefined ? flagStrategyOf(input.config, input.service, input.env) : undefined;
  if (!strategy || (outcome.status !== 'completed' && outcome.status !== 'unchanged')) return outcome;
  const flag = await rolloutFlag(deps, {
    config: input.config,
    projectDir: input.projectDir,
    service: input.service,
    env: input.env,
    actor: input.actor,
    secret: deps.secret ?? ((name) => deps.env[name]),
    report: deps.report,
  });
  switch (flag.status) {
    case 'completed':
      return { status: 'completed' };
    case 'rolled_back':
      return { status: 'rolled_back', reason: `flag ${strategy.flag}: ${flag.reason}` };
    default:
      return {
        status: 'aborted',
        reason: `flag ${strategy.flag} halted at ${flag.percent}%: ${flag.reason}`,
      };
  }
}

async function deployRevision(deps: ControllerDeps, input: DeployInput): Promise<DeployOutcome> {
  const service = input.config.services[input.service];
  if (!service) {
    throw new RolloutError(
      'SERVICE_UNKNOWN',
      `no service '${input.service}' in the config (services: ${Object.keys(input.config.services).join(', ') || 'none'})`,
    );
  }
  const environments = Object.keys(input.config.environments);
  if (environments.length > 0 && !input.config.environments[input.env]) {
    throw new RolloutError(
      'ENVIRONMENT_UNKNOWN',
      `no environment '${input.env}' in the config (environments: ${environments.join(', ')})`,
    );
  }
  const ref = { service: input.service, env: input.scope ?? input.env };
  const read = deps.secret ?? ((name: string) => deps.env[name]);
  const secretValues = service.secrets && readSecretValues(service.id, service.secrets, read);
  const revisionInput = { service, baseDir: input.projectDir, ...(secretValues && { secretValues }) };
  const revision = await deps.platform.createRevision(revisionInput);
  const port = input.config.environments[input.env]?.port;
  const status = await deps.platform.ensureService(ref, port === undefined ? {} : { port });
  if (status.error)
    throw new RolloutError(
      'ENDPOINT_UNAVAILABLE',
      `${input.service} in ${ref.env} cannot serve: ${status.error}`,
    );
  const stable = stableOf(status);
  const current = status.revisions.find((r) => r.id === revision.id);
  if (stable?.id === revision.id && current?.weight === 100)
    return { status: 'unchanged', revision: revision.id };
  const deployment = withHooks(deploymentFor(input.config, input.service, input.env), input.hooks);
  const migrations = migrationsOf(service.migrations, input.hooks);
  const plan = planRollout({
    strategy: deployment.strategy,
    checks: deployment.checks,
    hooks: deployment.hooks,
    ...(migrations ? { migrations } : {}),
    instances: service.instances,
    ...(stable ? { stable } : {}),
    next: revision.id,
  });
  // Once per deploy (a fleet's first wave): e.g. database snapshots before the first migration.
  const databases = input.config.environments[input.env]?.databases ?? [];
  if (deps.beforeRollout && databases.length > 0 && plan.steps.length > 0 && (input.hooks?.preDeploy ?? true))
    await deps.beforeRollout({
      databases,
      service: input.service,
      env: input.env,
      revision: revision.id,
      ...(stable ? { stable: stable.id } : {}),
      migrates: plan.steps.some((step) => MIGRATING_ACTIONS.has(step.action)),
    });
  const spec: RolloutSpec = {
    strategy: plan.strategy,
    steps: plan.steps,
    ...(stable ? { stable } : {}),
    next: { id: revision.id, instances: service.instances },
    analysis: { ...deployment.analysis, metrics: deployment.strategy.metrics },
    autoRollback: deployment.strategy.autoRollback,
    checks: deployment.checks,
    hooks: deployment.hooks,
    ...(migrations ? { migrations } : {}),
    readyTimeoutMs: input.readyTimeoutMs ?? READY_TIMEOUT_MS,
    workdir: input.projectDir,
    delivery: await deliveryStart(deps, ref, input.gitDir ?? input.projectDir, input.commitSha),
    settings: { env: service.env, secrets: revision.secretVersions ?? {} },
  };
  const rollout = await createWhenFree(deps, ref, input, {
    service: input.service,
    environment: ref.env,
    revision: revision.id,
    stableRevision: stable?.id ?? null,
    strategy: plan.strategy,
    plan: spec,
    actor: input.actor,
    commitSha: input.commitSha,
    owner: deps.owner,
  });
  await deps.store.appendEvent({
    type: 'rollout.started',
    actor: input.actor,
    service: input.service,
    environment: ref.env,
    commitSha: input.commitSha,
    subject: `rollout/${rollout.id}`,
    data: {
      rollout: rollout.id,
      revision: revision.id,
      stable: stable?.id ?? null,
      strategy: plan.strategy,
      steps: plan.steps.length,
    },
  });
  return new RolloutController(deps).drive(rollout.id);
}

/** The deployment with the hooks `which` leaves out removed. */
function withHooks<T extends { readonly hooks: ResolvedHooks }>(
  deployment: T,
  which: DeployInput['hooks'],
): T {
  if (!which) return deployment;
  const { preDeploy, postDeploy, ...rest } = deployment.hooks;
  const hooks: ResolvedHooks = {
    ...rest,
    ...(which.preDeploy && preDeploy !== undefined ? { preDeploy } : {}),
    ...(which.postDeploy && postDeploy !== undefined ? { postDeploy } : {}),
  };
  return { ...deployment, hooks };
}

/** The migrations a rollout runs: `expand` where it runs `preDeploy`, `contract` where it runs `postDeploy`. */
function migrationsOf(
  migrations: ResolvedMigrations | undefined,
  which: DeployInput['hooks'],
): ResolvedMigrations | undefined {
  if (!migrations || !which) return migrations;
  const { expand, contract, ...rest } = migrations;
  return {
    ...rest,
    ...(which.preDeploy && expand !== undefined ? { expand } : {}),
    ...(which.postDeploy && contract !== undefined ? { contract } : {}),
  };
}

/** Rolls back to the previous revision (or `to`): brought up at full size, then all traffic in one switch. */
export async function rollback(
  deps: ControllerDeps,
  input: { readonly ref: ServiceRef; readonly to?: string; readonly actor: string; readonly workdir: string },
): Promise<RolloutOutcome & { readonly revision: string }> {
  const { store, platform } = deps;
  const active = await activeRollout(store, input.ref);
  if (active) {
    await store.updateRollout(active.id, { request: 'abort' });
    const outcome = await driveOrWait(deps, active.id);
    if (!input.to) return { ...outcome, revision: active.stableRevision ?? active.revision };
  }
  const status = await platform.status(input.ref);
  const stable = stableOf(status);
  const target = input.to ?? (await previousRevision(store, input.ref, stable?.id));
  if (!target)
    throw new RolloutError(
      'NOTHING_TO_ROLL_BACK_TO',
      `${input.ref.service} in ${input.ref.env} has no earlier revision to roll back to`,
    );
  if (target === stable?.id)
    return { status: 'completed', reason: `${target} already serves`, revision: target };
  const instances = stable?.instances ?? 1;
  const strategy: ResolvedStrategy = {
    kind: 'blueGreen',
    switchover: 'instant',
    steps: [100],
    stepDurationMs: 0,
    rollback: 'immediate',
    scaleDownDelayMs: 0,
    analysisDurationMs: 0,
    metrics: [],
    autoRollback: true,
  };
  const plan = planRollout({
    strategy,
    checks: { smoke: [], warmup: [], synthetic: [], timeoutMs: 30_000 },
    hooks: { timeoutMs: 60_000 },
    instances,
    ...(stable ? { stable } : {}),
    next: target,
  });
  const spec: RolloutSpec = {
    strategy: 'rollback',
    steps: plan.steps,
    ...(stable ? { stable } : {}),
    next: { id: target, instances },
    analysis: {
      intervalMs: 1000,
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 0,
      minRequests: 0,
      metrics: [],
    },
    autoRollback: true,
    checks: { smoke: [], warmup: [], synthetic: [], timeoutMs: 30_000 },
    hooks: { timeoutMs: 60_000 },
    readyTimeoutMs: READY_TIMEOUT_MS,
    workdir: input.workdir,
  };
  const rollout = await store.createRollout({
    service: input.ref.service,
    environment: input.ref.env,
    revision: target,
    stableRevision: stable?.id ?? null,
    strategy: 'rollback',
    plan: spec,
    actor: input.actor,
    owner: deps.owner,
  });
  const outcome = await new RolloutController(deps).drive(rollout.id);
  if (outcome.status === 'completed') {
    const rollback = { startedAt: rollout.startedAt, restoreMs: deps.clock.now() - rollout.startedAt };
    await store.appendEvent({
      type: 'service.rolledback',
      actor: input.actor,
      service: input.ref.service,
      environment: input.ref.env,
      subject: `rollout/${rollout.id}`,
      data: { rollout: rollout.id, revision: target, previous: stable?.id ?? null, manual: true, rollback },
    });
  }
  return { ...outcome, revision: target };
}

/** The active rollout of a service in an environment, if any. */
export async function activeRollout(store: Store, ref: ServiceRef): Promise<Rollout | undefined> {
  return (
    await store.listRollouts({ service: ref.service, environment: ref.env, active: true, limit: 1 })
  )[0];
}

/** Sends a control request to the active rollout; drives it here when its controller is gone. */
export async function requestControl(
  deps: ControllerDeps,
  ref: ServiceRef,
  request: 'promote' | 'promote_full' | 'abort' | 'pause' | 'resume',
): Promise<{ rollout: Rollout; outcome?: RolloutOutcome }> {
  const active = await activeRollout(deps.store, ref);
  if (!active)
    throw new RolloutError('NO_ROLLOUT', `${ref.service} has no rollout in progress in ${ref.env}`);
  const rollout = await deps.store.updateRollout(active.id, { request });
  const orphaned = controllerIsGone(rollout, deps.clock.now());
  if (!orphaned || request === 'pause') return { rollout };
  return { rollout, outcome: await new RolloutController(deps).drive(rollout.id) };
}

/** Continues an active rollout whose controller died (what `deploy --resume` does). */
export async function resume(deps: ControllerDeps, ref: ServiceRef): Promise<RolloutOutcome> {
  const active = await activeRollout(deps.store, ref);
  if (!active)
    throw new RolloutError('NO_ROLLOUT', `${ref.service} has no rollout in progress in ${ref.env}`);
  return new RolloutController(deps).drive(active.id);
}

async function driveOrWait(deps: ControllerDeps, id: number): Promise<RolloutOutcome> {
  const deadline = deps.clock.now() + 5 * 60_000;
  for (;;) {
    const outcome = await new RolloutController(deps).drive(id);
    if (outcome.status !== 'busy' || deps.clock.now() > deadline) return outcome;
    await deps.clock.sleep(200);
  }
}

/** The revision that served before `current`: the stable revision of the last completed rollout to it. */
async function previousRevision(
  store: Store,
  ref: ServiceRef,
  current: string | undefined,
): Promise<string | undefined> {
  const history = await store.listRollouts({
    service: ref.service,
    environment: ref.env,
    active: false,
    limit: 50,
  });
  for (const rollout of history) {
    if (rollout.phase === 'completed' && rollout.revision === current && rollout.stableRevision)
      return rollout.stableRevision;
  }
  return history.find((r) => r.phase === 'completed' && r.revision !== current)?.revision;
}

/** Creates the rollout, waiting for an active one to end when queueing, refusing otherwise. */
async function createWhenFree(
  deps: ControllerDeps,
  ref: ServiceRef,
  input: DeployInput,
  rollout: NewRollout,
): Promise<Rollout> {
  const deadline = deps.clock.now() + 60 * 60_000;
  for (;;) {
    try {
      return await deps.store.createRollout(rollout);
    } catch (error) {
      if (!isStoreError(error, 'ROLLOUT_ACTIVE')) throw error;
      const active = await activeRollout(deps.store, ref);
      const orphaned = active && controllerIsGone(active, deps.clock.now());
      if (!input.queue || deps.clock.now() > deadline) {
        throw new RolloutError(
          'ROLLOUT_ACTIVE',
          `${ref.service} already has a rollout in progress in ${ref.env} (rollout ${active?.id ?? '?'}, ${active?.phase ?? 'running'})` +
            (orphaned
              ? '; its controller is gone: continue it with `slipway deploy --resume` or stop it with `slipway abort`'
              : '; wait for it, or pass --queue to deploy after it'),
          { cause: error },
        );
      }
      await deps.clock.sleep(500);
    }
  }
}
