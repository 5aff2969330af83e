/**
 * `slipway edge ENV --service S`: runs the edge of an environment with hosts in the foreground, one
 * entry point splitting the service's traffic between regions by their shares, failing regions over
 * as the config says; prints where it listens, then each region event as a line (NDJSON with
 * --json), until Ctrl-C.
 */
import { parseDuration } from '../../config/duration.js';
import type { SlipwayError } from '../../errors/slipway-error.js';
import { DIRECTOR_KINDS, type DirectorKind, startEdge } from '../../rollout/fleet/edge-service.js';
import type { FailoverPolicy } from '../../rollout/fleet/failover-types.js';
import { systemClock } from '../../rollout/rollout-clock.js';
import type { StoredEvent } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { loadProject, openProjectStore } from '../project.js';
import { requireLocal } from '../remote/remote-context.js';
import { formatWeights } from './failover.js';

/** Options of `slipway edge`. */
export interface EdgeCommandOptions {
  readonly service?: string;
  readonly port?: string;
  readonly host?: string;
  readonly director?: string;
  readonly hold?: string;
  readonly restoreStep?: string;
}

function portOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535, got '${text}'`);
  return port;
}

function durationOf(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`${flag} must be a duration such as 30s, got '${text}'`);
  return ms;
}

/** One line of a region event. */
function eventLine(event: StoredEvent): string {
  const data = event.data as Record<string, unknown>;
  const parts = [new Date(event.time).toISOString(), event.type.padEnd(18), event.subject ?? '-'];
  if (typeof data.reason === 'string') parts.push(`(${data.reason})`);
  if (typeof data.step === 'number' && typeof data.steps === 'number')
    parts.push(`step ${data.step}/${data.steps}`);
  // A restore's steps are measured from its start; only the switch away and the whole restore are news.
  if (typeof data.switchMs === 'number' && event.type === 'region.failedover')
    parts.push(`switched in ${data.switchMs} ms`);
  if (typeof data.switchMs === 'number' && event.type === 'region.restored')
    parts.push(`restored in ${data.switchMs} ms`);
  const before = formatWeights(data.weightsBefore);
  const after = formatWeights(data.weightsAfter);
  if (after !== '' && after !== before) parts.push(`weights ${before} -> ${after}`);
  return parts.join('  ');
}

/** Runs the edge until SIGINT or SIGTERM. */
export async function edgeCommand(
  ctx: CommandContext,
  env: string,
  options: EdgeCommandOptions,
): Promise<number> {
  requireLocal(ctx, '`slipway edge`');
  const director = options.director ?? 'router';
  if (!DIRECTOR_KINDS.includes(director as DirectorKind))
    throw new UsageError(`--director must be one of ${DIRECTOR_KINDS.join(', ')}, got '${director}'`);
  const port = portOf(options.port);
  const hold = durationOf('--hold', options.hold);
  const restoreStep = durationOf('--restore-step', options.restoreStep);
  const project = await loadProject(ctx);
  const services = Object.keys(project.config.services);
  const service = options.service ?? (services.length === 1 ? services[0] : undefined);
  if (service === undefined)
    throw new UsageError(`give the service the edge serves: slipway edge ${env} --service SERVICE`);
  const policy: Partial<FailoverPolicy> = {
    ...(hold === undefined ? {} : { holdMs: hold }),
    ...(restoreStep === undefined ? {} : { restoreStepMs: restoreStep }),
  };
  const { output } = ctx;
  const store = await openProjectStore(ctx, project.projectDir);
  try {
    const edge = await startEdge({
      config: project.config,
      projectDir: project.projectDir,
      service,
      env,
      director: director as DirectorKind,
      ...(options.host === undefined ? {} : { host: options.host }),
      port,
      store,
      clock: systemClock(),
      policy,
      onEvent: (event) => {
        if (output.json) output.data(event);
        else output.line(eventLine(event));
      },
      onProblem: (error: SlipwayError) => output.error(`slipway edge: ${error.message}`),
    });
    const { host, port: listening } = edge.entryPoint;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${listening}/`;
    if (output.json) {
      output.data({
        event: 'listening',
        service,
        env,
        url,
        director,
        socket: edge.socketPath,
        strategy: edge.policy.strategy,
        regions: edge.plan.backends.map((b) => ({ ...b, weight: edge.plan.weights[b.name] ?? 0 })),
      });
    } else {
      output.line(
        `edge for ${service} in ${env} listening on ${url} (${director}, failover ${edge.policy.strategy})`,
      );
      for (const backend of edge.plan.backends)
        output.line(
          `  ${backend.name.padEnd(16)} ${`${edge.plan.weights[backend.name] ?? 0}%`.padEnd(5)} ${backend.upstreams.join(', ')}`,
        );
      output.line(
        `control: slipway failover ${env} --from REGION | --restore REGION (socket ${edge.socketPath})`,
      );
    }
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await edge.close();
    if (!output.json) output.line('edge stopped');
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
