/**
 * Normalizes the deployment sections (`strategy`, `analysis`, `checks`, `hooks`) of environments
 * and of `services.<id>.deploy.<env>` into their resolved form: one strategy kind, durations in
 * ms. They are kept apart from `ResolvedService`, whose content is hashed into the revision id.
 */
import type { JsonValue } from '../flags/flag-document.js';
import type { ConfigOutput } from './config-schema.js';
import { type DeploymentOverrideOutput, deploymentFields } from './deployment-schema.js';
import type { FeatureFlagOutput } from './flag-strategy-schema.js';
import type {
  ResolvedAnalysis,
  ResolvedChecks,
  ResolvedDeployment,
  ResolvedFeatureFlagStrategy,
  ResolvedHooks,
  ResolvedHttpCheck,
  ResolvedRollingStrategy,
  ResolvedStrategy,
} from './resolved.js';
import type { ResolvedSecurityChecks } from './resolved-security-checks.js';
import type { StrategyOutput } from './strategy-schema.js';

type Sections = Required<DeploymentOverrideOutput>;
type HttpCheckOutput = NonNullable<Sections['checks']['synthetic'][number]['steps'][number]>;

/** Every deployment section, resolved. */
export function resolveDeployment(sections: Sections): ResolvedDeployment {
  return {
    strategy: resolveStrategy(sections.strategy),
    analysis: resolveAnalysis(sections.analysis),
    checks: resolveChecks(sections.checks),
    hooks: resolveHooks(sections.hooks),
  };
}

/** The deployment of an environment that sets nothing: rolling (maxSurge 25%, maxUnavailable 0) and every default. */
export function defaultDeployment(): ResolvedDeployment {
  return resolveDeployment({
    strategy: deploymentFields.strategy.parse(undefined),
    analysis: deploymentFields.analysis.parse(undefined),
    checks: deploymentFields.checks.parse(undefined),
    hooks: deploymentFields.hooks.parse(undefined),
  });
}

/** `services.<id>.deploy.<env>` of every service, resolved, keeping only the sections written. */
export function resolveDeployOverrides(
  config: ConfigOutput,
): Record<string, Record<string, Partial<ResolvedDeployment>>> {
  const out: Record<string, Record<string, Partial<ResolvedDeployment>>> = {};
  for (const [id, service] of Object.entries(config.services)) {
    const byEnv: Record<string, Partial<ResolvedDeployment>> = {};
    for (const [env, o] of Object.entries(service.deploy ?? {})) {
      byEnv[env] = {
        ...(o.strategy ? { strategy: resolveStrategy(o.strategy) } : {}),
        ...(o.analysis ? { analysis: resolveAnalysis(o.analysis) } : {}),
        ...(o.checks ? { checks: resolveChecks(o.checks) } : {}),
        ...(o.hooks ? { hooks: resolveHooks(o.hooks) } : {}),
      };
    }
    if (Object.keys(byEnv).length > 0) out[id] = byEnv;
  }
  return out;
}

// A strategy naming no kind (a rule reports it) falls back to the default rolling update.
function resolveStrategy(strategy: StrategyOutput): ResolvedStrategy {
  if (strategy.canary) {
    const { stages, metrics, autoRollback } = strategy.canary;
    return {
      kind: 'canary',
      stages: stages.map((s) => ({
        traffic: s.traffic,
        ...(s.duration !== undefined ? { durationMs: s.duration } : {}),
        pause: s.pause,
      })),
      metrics,
      autoRollback,
    };
  }
  if (strategy.blueGreen) {
    const b = strategy.blueGreen;
    return {
      kind: 'blueGreen',
      switchover: b.switchover,
      steps: b.steps.at(-1) === 100 ? b.steps : [...b.steps, 100],
      stepDurationMs: b.stepDuration,
      rollback: b.rollback,
      scaleDownDelayMs: b.scaleDownDelay,
      analysisDurationMs: b.analysisDuration,
      metrics: b.metrics,
      autoRollback: b.autoRollback,
    };
  }
  if (strategy.featureFlag) return resolveFeatureFlag(strategy.featureFlag);
  return resolveRolling(strategy.rolling ?? deploymentFields.strategy.parse(undefined).rolling!);
}

function resolveRolling(r: NonNullable<StrategyOutput['rolling']>): ResolvedRollingStrategy {
  return {
    kind: 'rolling',
    batchSize: r.batchSize,
    maxSurge: r.maxSurge,
    maxUnavailable: r.maxUnavailable,
    batchIntervalMs: r.batchInterval,
    metrics: r.metrics,
    autoRollback: r.autoRollback,
  };
}

// The revision is replaced the default rolling way without analysis: the new code ships dark, and
// what is analysed is the flag's variant, stage by stage.
function resolveFeatureFlag(f: FeatureFlagOutput): ResolvedFeatureFlagStrategy {
  const rolling = deploymentFields.strategy.parse(undefined).rolling!;
  return {
    kind: 'featureFlag',
    provider: f.provider,
    flag: f.flag,
    variant: f.variant,
    ...(f.baseline !== undefined ? { baseline: f.baseline } : {}),
    stages: f.stages.map((s) => ({ traffic: s.traffic, durationMs: s.duration })),
    metrics: f.metrics,
    autoRollback: f.autoRollback,
    ...(f.targeting !== undefined ? { targeting: f.targeting as JsonValue } : {}),
    gradualRollout: f.gradualRollout,
    ...(f.launchdarkly ? { launchdarkly: { ...f.launchdarkly } } : {}),
    ...(f.split ? { split: { ...f.split } } : {}),
    ...(f.custom ? { custom: { command: f.custom.command, timeoutMs: f.custom.timeout } } : {}),
    replace: { ...resolveRolling(rolling), metrics: [], batchIntervalMs: 0 },
  };
}

function resolveAnalysis(a: Sections['analysis']): ResolvedAnalysis {
  return {
    intervalMs: a.interval,
    failureLimit: a.failureLimit,
    inconclusiveLimit: a.inconclusiveLimit,
    consecutiveErrorLimit: a.consecutiveErrorLimit,
    minRequests: a.minRequests,
  };
}

function resolveHttp(check: HttpCheckOutput): ResolvedHttpCheck {
  return {
    path: check.path,
    method: check.method,
    ...(check.expect !== undefined
      ? { expect: typeof check.expect === 'number' ? [check.expect] : check.expect }
      : {}),
    ...(check.body !== undefined ? { body: check.body } : {}),
  };
}

function resolveChecks(c: Sections['checks']): ResolvedChecks {
  return {
    smoke: c.smoke.map((s) =>
      'http' in s
        ? { kind: 'http' as const, ...resolveHttp(s.http) }
        : { kind: 'run' as const, command: s.run },
    ),
    warmup: c.warmup,
    synthetic: c.synthetic.map((j) => ({ name: j.name, steps: j.steps.map(resolveHttp) })),
    ...(c.security !== undefined ? { security: resolveSecurityChecks(c.security) } : {}),
    timeoutMs: c.timeout,
  };
}

function resolveSecurityChecks(s: NonNullable<Sections['checks']['security']>): ResolvedSecurityChecks {
  const { hostname, ca, ...tls } = s.tls;
  return {
    ...(s.url !== undefined ? { url: s.url.replace(/\/+$/, '') } : {}),
    path: s.path,
    headers: { ...s.headers },
    forbiddenPaths: s.forbiddenPaths,
    sourceMaps: s.sourceMaps,
    tls: { ...tls, ...(hostname !== undefined ? { hostname } : {}), ...(ca !== undefined ? { ca } : {}) },
  };
}

function resolveHooks(h: Sections['hooks']): ResolvedHooks {
  return {
    ...(h.preDeploy !== undefined ? { preDeploy: h.preDeploy } : {}),
    ...(h.postDeploy !== undefined ? { postDeploy: h.postDeploy } : {}),
    timeoutMs: h.timeout,
  };
}
