/** `slipway status [SERVICE] --env ENV` and `slipway history SERVICE --env ENV`. */

import type { ServiceStatus } from '../../platform/platform.js';
import { migrationRecords } from '../../rollout/controller/migration-record.js';
import type { RolloutSpec } from '../../rollout/controller/rollout-spec.js';
import type { Rollout } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { loadFleetProject } from '../fleet.js';
import { localPlatform } from '../platform.js';
import { openProjectStore, projectDirOf } from '../project.js';
import type { ApiClient } from '../remote/api-client.js';
import { remoteClient } from '../remote/remote-context.js';
import { servicePath } from '../remote/rollout-follower.js';
import { requireEnv } from './health.js';
import { fleetStatus } from './rollout-status-fleet.js';

/** A rollout as the store holds it, or as the API shows it (without its plan and owner). */
type ShownRollout = Omit<Rollout, 'plan' | 'owner'> & { readonly plan?: unknown };

/** One service's status entry (the JSON document and what the lines show). */
interface StatusItem {
  readonly service: string;
  readonly env: string;
  readonly url: string | null;
  readonly revisions: readonly {
    id: string;
    role: string | null;
    weight: number;
    instances: number;
    ready: number;
  }[];
  readonly rollout: ReturnType<typeof describe> | null;
}

/** The status entry of a service from what runs (if anything) and its latest rollout. */
function statusItem(
  service: string,
  env: string,
  live: ServiceStatus | undefined,
  rollout: ShownRollout | undefined,
): StatusItem {
  return {
    service,
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
  };
}

/** Prints status entries: NDJSON, or a block per service. */
function printStatus(ctx: CommandContext, env: string, out: readonly StatusItem[]): void {
  if (ctx.output.json) {
    for (const item of out) ctx.output.data(item);
    return;
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
      const step = r.steps === null ? `${r.step + 1}` : `${Math.min(r.step + 1, r.steps)}/${r.steps}`;
      ctx.output.line(
        `  rollout ${r.id} (${r.strategy}): ${r.phase}, step ${step}${r.reason ? ` - ${r.reason}` : ''}`,
      );
      for (const m of r.measurements) ctx.output.line(`    ${m.verdict}: ${m.message}`);
      for (const [phase, m] of Object.entries(r.migrations))
        ctx.output.line(
          `    ${phase} ${m.status}: \`${m.command}\` ${m.result}${m.status === 'failed' && m.output ? `\n${indent(m.output)}` : ''}`,
        );
    }
  }
}

/** Prints rollouts, newest first: NDJSON, or one line each. */
function printHistory(ctx: CommandContext, service: string, env: string, rollouts: readonly ShownRollout[]) {
  if (ctx.output.json) {
    for (const r of rollouts) ctx.output.data(describe(r));
    return;
  }
  if (rollouts.length === 0) ctx.output.line(`${service} has never been deployed to ${env}`);
  for (const r of rollouts) {
    const when = new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 19);
    ctx.output.line(
      `${String(r.id).padStart(4)} ${when} ${r.revision} ${r.strategy.padEnd(9)} ${r.phase.padEnd(11)} by ${r.actor}${r.stableRevision ? ` (from ${r.stableRevision})` : ''}${r.reason ? ` - ${r.reason}` : ''}`,
    );
  }
}

// The server's view: the services running in ENV (or the one asked for), each with its latest rollout.
async function remoteStatus(
  client: ApiClient,
  service: string | undefined,
  env: string,
): Promise<StatusItem[]> {
  let names = service === undefined ? [] : [service];
  if (service === undefined) {
    const { services } = await client.get<{ services: { service: string; environments: unknown[] }[] }>(
      '/api/v1/services',
      { env },
    );
    names = services.filter((s) => s.environments.length > 0).map((s) => s.service);
  }
  const out: StatusItem[] = [];
  for (const name of names.sort()) {
    const found = await client.get<{ status: ServiceStatus | null; rollout: ShownRollout | null }>(
      servicePath(name, env),
    );
    out.push(statusItem(name, env, found.status ?? undefined, found.rollout ?? undefined));
  }
  return out;
}

/** Phase, step, weights, instances per revision and the latest measurements of each service. */
export async function statusCommand(
  ctx: CommandContext,
  service: string | undefined,
  options: { env?: string },
): Promise<number> {
  const env = requireEnv(options.env);
  const client = remoteClient(ctx);
  if (client) {
    printStatus(ctx, env, await remoteStatus(client, service, env));
    return ExitCode.Ok;
  }
  const fleet = await loadFleetProject(ctx, env, undefined);
  if (fleet) {
    const fleetStore = await openProjectStore(ctx, fleet.projectDir);
    try {
      return await fleetStatus(ctx, { ...fleet, store: fleetStore }, service);
    } finally {
      await fleetStore.close();
    }
  }
  const projectDir = projectDirOf(ctx);
  const platform = localPlatform(ctx, projectDir);
  const store = await openProjectStore(ctx, projectDir);
  try {
    const services = (await platform.list()).filter(
      (s) => s.env === env && (!service || s.service === service),
    );
    const names = new Set(services.map((s) => s.service));
    if (service) names.add(service);
    const out: StatusItem[] = [];
    for (const name of [...names].sort()) {
      const live = services.find((s) => s.service === name);
      const rollout = (await store.listRollouts({ service: name, environment: env, limit: 1 }))[0];
      out.push(statusItem(name, env, live, rollout));
    }
    printStatus(ctx, env, out);
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
  const limit = Number(options.limit ?? 50) || 50;
  const client = remoteClient(ctx);
  if (client) {
    const { rollouts } = await client.get<{ rollouts: ShownRollout[] }>(
      `${servicePath(service, env)}/history`,
      {
        limit: Math.min(limit, 1000),
      },
    );
    printHistory(ctx, service, env, rollouts);
    return ExitCode.Ok;
  }
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    printHistory(ctx, service, env, await store.listRollouts({ service, environment: env, limit }));
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/**
 * The JSON document of a rollout. The API leaves the plan out, so from a server `steps` and
 * `action` are null.
 */
function describe(rollout: ShownRollout) {
  const spec = rollout.plan as RolloutSpec | undefined;
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
    steps: rollout.plan === undefined ? null : (spec?.steps?.length ?? 0),
    action: spec?.steps?.[rollout.step]?.action ?? null,
    reason: rollout.reason,
    actor: rollout.actor,
    commit: rollout.commitSha,
    startedAt: new Date(rollout.startedAt).toISOString(),
    finishedAt: rollout.finishedAt ? new Date(rollout.finishedAt).toISOString() : null,
    measurements,
    migrations: migrationRecords(rollout.data),
  };
}

function indent(output: string): string {
  return output
    .trimEnd()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
}
