/**
 * The flag rollout use cases shared by front ends: find the `featureFlag` strategy a service's
 * environment (or a flag) uses, wire its provider, and run it against the service's router
 * counters; `deploy` of a service whose environment rolls out by flag ships the revision dark
 * first, then moves the flag.
 */
import type { ResolvedConfig } from '../../config/resolved.js';
import type { ResolvedFeatureFlagStrategy } from '../../config/resolved-strategy.js';
import { FlagError } from '../../flags/errors.js';
import type { FlagProvider } from '../../flags/providers/flag-provider.js';
import { FlagVersions } from '../../flags/versions/flag-versions.js';
import { isFlagPublisher } from '../../platform/flag-publisher.js';
import type { ControllerDeps } from '../controller/controller-types.js';
import { deploymentFor } from '../deployment.js';
import { externalFlagProvider } from './external-flag-provider.js';
import { type FlagRolloutEvent, type FlagRolloutOutcome, runFlagRollout } from './flag-rollout.js';
import { planFlagRollout } from './plan-flag-rollout.js';
import { SlipwayFlagProvider } from './slipway-flag-provider.js';

/** A flag rollout to run: where, by whom, and how secrets are read. */
export interface FlagRolloutRequest {
  readonly config: ResolvedConfig;
  readonly projectDir: string;
  readonly service: string;
  readonly env: string;
  readonly actor: string;
  /** A secret's value by name (the environment, else `.slipway/secrets.env`), undefined when unset. */
  readonly secret: (name: string) => string | undefined;
  readonly report: (event: FlagRolloutEvent) => void;
  /**
   * Run again even when the last rollout of this flag by this provider completed with the same
   * variant (`slipway flags rollout`); a deploy leaves a completed rollout alone.
   */
  readonly again?: boolean;
}

/** The `featureFlag` strategy `service` uses in `env`, or undefined when it uses another. */
export function flagStrategyOf(
  config: ResolvedConfig,
  service: string,
  env: string,
): ResolvedFeatureFlagStrategy | undefined {
  const strategy = deploymentFor(config, service, env).strategy;
  return strategy.kind === 'featureFlag' ? strategy : undefined;
}

/**
 * The service and environment whose `featureFlag` strategy rolls out `flag` (narrowed by
 * `service` and `env` when given); FLAG_ROLLOUT_INVALID when none or several do.
 */
export function findFlagRollout(
  config: ResolvedConfig,
  flag: string,
  narrow: { readonly service?: string; readonly env?: string } = {},
): { service: string; env: string } {
  const found: { service: string; env: string }[] = [];
  for (const service of Object.keys(config.services)) {
    if (narrow.service !== undefined && service !== narrow.service) continue;
    const envs = new Set([
      ...Object.keys(config.environments),
      ...Object.keys(config.deployOverrides[service] ?? {}),
    ]);
    for (const env of envs) {
      if (narrow.env !== undefined && env !== narrow.env) continue;
      if (flagStrategyOf(config, service, env)?.flag === flag) found.push({ service, env });
    }
  }
  if (found.length === 1) return found[0]!;
  if (found.length === 0)
    throw new FlagError(
      'FLAG_ROLLOUT_INVALID',
      `no service${narrow.service ? ` '${narrow.service}'` : ''} rolls out flag '${flag}'${narrow.env ? ` in ${narrow.env}` : ''}: give an environment a \`strategy: featureFlag: { flag: ${flag}, ... }\``,
    );
  throw new FlagError(
    'FLAG_ROLLOUT_INVALID',
    `flag '${flag}' is rolled out by ${found.map((f) => `${f.service} in ${f.env}`).join(', ')}: choose one with --service and --env`,
  );
}

/**
 * Records the flags slipway.yaml declares where they changed, and has the platform's agents serve
 * the flag set; nothing without `flags:` or on a platform that does not serve flags.
 */
export async function serveDeclaredFlags(
  deps: Pick<ControllerDeps, 'store' | 'platform'>,
  config: ResolvedConfig,
  actor: string,
): Promise<void> {
  const flags = config.flags;
  const platform = deps.platform;
  if (!flags || !isFlagPublisher(platform)) return;
  const versions = new FlagVersions(deps.store);
  await versions.syncDeclared(flags.document, actor);
  await platform.publishFlags(await versions.snapshot(flagSetBase(config)), flags.ofrep);
}

function flagSetBase(config: ResolvedConfig) {
  const doc = config.flags?.document;
  return {
    ...(doc?.$evaluators ? { $evaluators: doc.$evaluators } : {}),
    ...(doc?.metadata ? { metadata: doc.metadata } : {}),
  };
}

/** The provider a strategy drives. */
export function flagProviderFor(
  deps: Pick<ControllerDeps, 'store' | 'platform'>,
  request: Pick<FlagRolloutRequest, 'config' | 'projectDir' | 'actor' | 'secret'>,
  strategy: ResolvedFeatureFlagStrategy,
): FlagProvider {
  if (strategy.provider !== 'slipway') return externalFlagProvider(strategy, request);
  const flags = request.config.flags;
  const base = flagSetBase(request.config);
  const platform = deps.platform;
  return new SlipwayFlagProvider({
    versions: new FlagVersions(deps.store),
    base,
    actor: request.actor,
    ...(strategy.targeting !== undefined ? { gate: strategy.targeting } : {}),
    publish: async (snapshot) => {
      if (isFlagPublisher(platform) && flags) await platform.publishFlags(snapshot, flags.ofrep);
    },
  });
}

/**
 * Whether the latest rollout of the strategy's flag was by the same provider and completed with
 * the same variant: the flag service already serves it to everyone. Slipway's own flags also
 * check their definition (a change by hand since then starts a rollout again).
 */
async function completedBefore(
  deps: Pick<ControllerDeps, 'store'>,
  strategy: ResolvedFeatureFlagStrategy,
): Promise<boolean> {
  const events = await deps.store.listEvents({
    types: ['flagrollout.started', 'flagrollout.completed', 'flagrollout.rolledback'],
  });
  const last = events.filter((e) => e.subject === `flag/${strategy.flag}`).at(-1);
  return (
    strategy.provider !== 'slipway' &&
    last?.type === 'flagrollout.completed' &&
    last.data.provider === strategy.provider &&
    last.data.variant === strategy.variant
  );
}

/** Runs the `featureFlag` strategy of `service` in `env` to its end. */
export async function rolloutFlag(
  deps: ControllerDeps,
  request: FlagRolloutRequest,
): Promise<FlagRolloutOutcome> {
  const strategy = flagStrategyOf(request.config, request.service, request.env);
  if (!strategy)
    throw new FlagError(
      'FLAG_ROLLOUT_INVALID',
      `${request.service} in ${request.env} does not roll out by flag (its strategy is not featureFlag)`,
    );
  const deployment = deploymentFor(request.config, request.service, request.env);
  if (strategy.provider === 'slipway' && request.config.flags) {
    await new FlagVersions(deps.store).syncDeclared(request.config.flags.document, request.actor);
  }
  if (!request.again && (await completedBefore(deps, strategy))) {
    request.report({
      type: 'flagrollout.finished',
      flag: strategy.flag,
      status: 'completed',
      reason: `the last rollout of ${strategy.flag} by ${strategy.provider} completed with ${strategy.variant}: nothing to roll out`,
    });
    return { status: 'completed' };
  }
  const ref = { service: request.service, env: request.env };
  return runFlagRollout(
    {
      flag: strategy.flag,
      variant: strategy.variant,
      ...(strategy.baseline !== undefined ? { baseline: strategy.baseline } : {}),
      service: request.service,
      env: request.env,
      steps: planFlagRollout(strategy),
      metrics: strategy.metrics,
      analysis: deployment.analysis,
      autoRollback: strategy.autoRollback,
    },
    {
      provider: flagProviderFor(deps, request, strategy),
      metrics: () => deps.platform.metrics(ref),
      store: deps.store,
      clock: deps.clock,
      actor: request.actor,
      report: request.report,
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
  );
}
