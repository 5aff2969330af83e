/**
 * `slipway plan SERVICE --env ENV`: shows the steps a deploy would take (weights and instances at
 * each) from what runs now, without changing anything: no revision is written, no agent started.
 * For an environment with hosts it also shows the waves, region by region, each host taking the steps;
 * for a feature flag rollout, the flag's shares that follow the revision's replacement.
 */

import { formatDuration } from '../../config/duration.js';
import type { ResolvedFeatureFlagStrategy, ResolvedService } from '../../config/resolved.js';
import { secretReader } from '../../pipeline/secrets/secret-reader.js';
import type { RevisionStatus } from '../../platform/platform.js';
import { revisionIdOf } from '../../platform/revision-fingerprint.js';
import { readSecretValues, secretVersions } from '../../platform/secret-versions.js';
import { deploymentFor } from '../../rollout/deployment.js';
import { planFlagRollout } from '../../rollout/flag/plan-flag-rollout.js';
import { type FleetPlan, planFleet } from '../../rollout/fleet/fleet-plan.js';
import { planRollout, type RolloutPlan } from '../../rollout/plan-rollout.js';
import type { RolloutStep } from '../../rollout/rollout-step.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { localPlatform, stateDirOf } from '../platform.js';
import { loadProject } from '../project.js';
import { requireEnv } from './health.js';
import { fleetFooter, fleetSize, waveHeadings } from './plan-fleet.js';

/** Prints the rollout plan of one service in one environment; exit 0 (2 for an unknown service or env). */
export async function planCommand(
  ctx: CommandContext,
  serviceId: string,
  options: { env?: string },
): Promise<number> {
  const env = requireEnv(options.env);
  const { config, projectDir } = await loadProject(ctx);
  const service = config.services[serviceId];
  if (!service) {
    throw new UsageError(
      `no service '${serviceId}' in the config (services: ${Object.keys(config.services).join(', ') || 'none'})`,
    );
  }
  const envNames = Object.keys(config.environments);
  if (envNames.length > 0 && !config.environments[env]) {
    throw new UsageError(`no environment '${env}' in the config (environments: ${envNames.join(', ')})`);
  }
  const deployment = deploymentFor(config, serviceId, env);
  const next = revisionIdOf(service, projectDir, planSecretVersions(ctx, service, projectDir));
  const running = (await localPlatform(ctx, projectDir).list()).find(
    (s) => s.service === serviceId && s.env === env,
  );
  const current = running?.revisions ?? [];
  const stable = stableRevision(current, next);
  const serving = current.find((r) => r.id === next && r.weight >= 100);
  const plan: RolloutPlan = serving
    ? { strategy: deployment.strategy.kind, steps: [] }
    : planRollout({
        strategy: deployment.strategy,
        checks: deployment.checks,
        hooks: deployment.hooks,
        ...(service.migrations ? { migrations: service.migrations } : {}),
        instances: service.instances,
        ...(stable ? { stable: { id: stable.id, instances: stable.desired } } : {}),
        next,
      });
  const fleetOf = config.environments[env]?.fleet;
  const fleet = fleetOf ? planFleet(fleetOf, plan) : undefined;
  // A fleet deploy ships revisions only: no flag rollout follows its waves.
  const flag = deployment.strategy.kind === 'featureFlag' && !fleet ? deployment.strategy : undefined;
  if (ctx.output.json) {
    ctx.output.data({
      service: serviceId,
      env,
      strategy: plan.strategy,
      steps: plan.steps,
      ...(fleet ? { fleet } : {}),
      ...(flag ? { flag: flagPlan(flag) } : {}),
    });
    return ExitCode.Ok;
  }
  if (plan.steps.length === 0) {
    ctx.output.line(
      flag
        ? `${serviceId} in ${env}: ${next} already serves all traffic; ${flagLine(flag)}`
        : `${serviceId} in ${env}: nothing to deploy (${next} already serves all traffic)`,
    );
    return ExitCode.Ok;
  }
  const from = stable ? `${stable.id} (${stable.desired} instance(s)) -> ` : 'first deploy of ';
  const size = fleet
    ? `${service.instances} instance(s) per host, ${fleetSize(fleet)}`
    : `${service.instances} instance(s)`;
  ctx.output.line(`${serviceId} to ${env}: ${plan.strategy}, ${from}${next} (${size})`);
  if (fleet) printFleet(ctx, fleet);
  else printSteps(ctx, plan.steps);
  if (flag) ctx.output.line(flagLine(flag));
  return ExitCode.Ok;
}

// What a feature flag rollout does once the revision is replaced: the variant's share, step by step.
function flagPlan(strategy: ResolvedFeatureFlagStrategy) {
  return {
    provider: strategy.provider,
    flag: strategy.flag,
    variant: strategy.variant,
    ...(strategy.baseline !== undefined ? { baseline: strategy.baseline } : {}),
    steps: planFlagRollout(strategy),
  };
}

function flagLine(strategy: ResolvedFeatureFlagStrategy): string {
  const analysed = strategy.metrics.length > 0 ? ' with analysis' : '';
  const steps = planFlagRollout(strategy).map(
    (s) => `${s.percent}%${s.holdMs > 0 ? ` (hold ${formatDuration(s.holdMs)}${analysed})` : ''}`,
  );
  const baseline = strategy.baseline ?? 'the default variant';
  return `then flag ${strategy.flag} (${strategy.provider}): ${strategy.variant} against ${baseline}, ${steps.join(', ')}`;
}

// Each wave's heading with its steps under it, then what a failure does and the failover settings.
function printFleet(ctx: CommandContext, fleet: FleetPlan): void {
  const headings = waveHeadings(fleet);
  fleet.waves.forEach((wave, i) => {
    ctx.output.line(ctx.output.paint('bold', headings[i] ?? wave.region));
    printSteps(ctx, wave.steps);
  });
  for (const line of fleetFooter(fleet)) ctx.output.line(line);
}

// The revision serving now: the highest weight among the others (a half-done rollout of `next` plans from it).
function stableRevision(revisions: readonly RevisionStatus[], next: string): RevisionStatus | undefined {
  return revisions
    .filter((r) => r.id !== next && r.weight > 0)
    .sort((a, b) => b.weight - a.weight || b.desired - a.desired)[0];
}

function printSteps(ctx: CommandContext, steps: readonly RolloutStep[]): void {
  const list = (record: Readonly<Record<string, number>>, unit: string) =>
    Object.entries(record)
      .map(([id, n]) => `${id} ${n}${unit}`)
      .join(', ');
  const rows = steps.map((step) => ({
    action: step.action,
    weights: `weights ${list(step.weights, '%')}`,
    instances: `instances ${list(step.instances, '')}`,
    notes: notesOf(step),
  }));
  const number = String(steps.length).length;
  const width = (key: 'action' | 'weights' | 'instances') => Math.max(...rows.map((r) => r[key].length));
  rows.forEach((row, i) => {
    const line = [
      `${String(i + 1).padStart(number)}.`,
      ctx.output.paint('bold', row.action.padEnd(width('action'))),
      row.weights.padEnd(width('weights')),
      row.notes ? row.instances.padEnd(width('instances')) : row.instances,
      ctx.output.paint('gray', row.notes),
    ];
    ctx.output.line(`  ${line.join('  ').trimEnd()}`);
  });
}

function notesOf(step: RolloutStep): string {
  const notes: string[] = [];
  if (step.action === 'expand') notes.push('schema change both revisions work with');
  if (step.action === 'contract') notes.push('schema change only the new revision works with');
  if (step.durationMs !== undefined)
    notes.push(`hold ${formatDuration(step.durationMs)}${step.analyze ? ' with analysis' : ''}`);
  if (step.pause) notes.push('then wait for `slipway promote`');
  return notes.join(', ');
}

/** The versions of the service's secrets as a deploy would read them now (none without secrets). */
function planSecretVersions(ctx: CommandContext, service: ResolvedService, projectDir: string) {
  if (!service.secrets) return undefined;
  const env = Object.fromEntries(
    Object.entries(ctx.io.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const values = readSecretValues(service.id, service.secrets, secretReader(env, projectDir));
  return secretVersions(stateDirOf(projectDir), values);
}
