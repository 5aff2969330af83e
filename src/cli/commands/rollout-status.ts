/** `slipway status [SERVICE] --env ENV` and `slipway history SERVICE --env ENV`. */
import type { RolloutSpec } from '../../rollout/controller/rollout-spec.js';
import type { Rollout } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { localPlatform } from '../platform.js';
import { openProjectStore, projectDirOf } from '../project.js';
import { requireEnv } from './health.js';

/** Phase, step, weights, instances per revision and the latest measurements of each service. */
export async function statusCommand(
  ctx: CommandContext,
  service: string | undefined,
  options: { env?: string },
): Promise<number> {
  const env = requireEnv(options.env);
  const projectDir = projectDirOf(ctx);
  const platform = localPlatform(ctx, projectDir);
  const store = await openProjectStore(ctx, projectDir);
  try {
    const services = (await platform.list()).filter(
      (s) => s.env === env && (!service || s.service === service),
    );
    const names = new Set(services.map((s) => s.service));
    if (service) names.add(service);
    const out = [];
    for (const name of [...names].sort()) {
      const live = services.find((s) => s.service === name);
      const rollout = (await store.listRollouts({ service: name, environment: env, limit: 1 }))[0];
      out.push({
        service: name,
        env,
        url: live?.url ?? null,
        revisions: (live?.revisions ?? []).map((r) => ({
          id: r.id,
          role: r.role ?? null,
          weight: r.weight,
          instances: r.desired,
          ready: r.ready,
        })),
        rollout: rollout ? describe(rollout) : null,
      });
    }
    if (ctx.output.json) {
      for (const item of out) ctx.output.data(item);
      return ExitCode.Ok;
    }
    if (out.length === 0) ctx.output.line(`nothing is deployed in ${env}`);
    for (const item of out) {
      ctx.output.line(`${ctx.output.paint('bold', item.service)} (${env}) ${item.url ?? 'not serving'}`);
      for (const r of item.revisions) {
        ctx.output.line(
          `  ${r.id}${r.role ? ` [${r.role}]` : ''} ${r.weight}% of traffic, ${r.ready}/${r.instances} ready`,
        );
      }
      const r = item.rollout;
      if (r) {
        ctx.output.line(
          `  rollout ${r.id} (${r.strategy}): ${r.phase}, step ${Math.min(r.step + 1, r.steps)}/${r.steps}${r.reason ? ` - ${r.reason}` : ''}`,
        );
        for (const m of r.measurements) ctx.output.line(`    ${m.verdict}: ${m.message}`);
      }
    }
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Every rollout of a service in an environment: revision, who, when, outcome. */
export async function historyCommand(
  ctx: CommandContext,
  service: string,
  options: { env?: string; limit?: string },
): Promise<number> {
  const env = requireEnv(options.env);
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const rollouts = await store.listRollouts({
      service,
      environment: env,
      limit: Number(options.limit ?? 50) || 50,
    });
    if (ctx.output.json) {
      for (const r of rollouts) ctx.output.data(describe(r));
      return ExitCode.Ok;
    }
    if (rollouts.length === 0) ctx.output.line(`${service} has never been deployed to ${env}`);
    for (const r of rollouts) {
      const when = new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 19);
      ctx.output.line(
        `${String(r.id).padStart(4)} ${when} ${r.revision} ${r.strategy.padEnd(9)} ${r.phase.padEnd(11)} by ${r.actor}${r.stableRevision ? ` (from ${r.stableRevision})` : ''}${r.reason ? ` - ${r.reason}` : ''}`,
      );
    }
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

function describe(rollout: Rollout) {
  const spec = rollout.plan as RolloutSpec;
  const measurements = (rollout.data.measurements ?? []) as {
    verdict: string;
    message: string;
    metric: string;
    value?: number;
  }[];
  return {
    id: rollout.id,
    revision: rollout.revision,
    stable: rollout.stableRevision,
    strategy: rollout.strategy,
    phase: rollout.phase,
    step: rollout.step,
    steps: spec.steps?.length ?? 0,
    action: spec.steps?.[rollout.step]?.action ?? null,
    reason: rollout.reason,
    actor: rollout.actor,
    commit: rollout.commitSha,
    startedAt: new Date(rollout.startedAt).toISOString(),
    finishedAt: rollout.finishedAt ? new Date(rollout.finishedAt).toISOString() : null,
    measurements,
  };
}
