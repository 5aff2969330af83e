/** `slipway health [SERVICE] --env ENV`: instances, probes and dependency checks, with latency. */
import { PlatformError } from '../../platform/errors.js';
import { checkDependency } from '../../platform/health/check-dependency.js';
import type { HealthReport } from '../../platform/platform.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { localPlatform } from '../platform.js';
import { loadProject } from '../project.js';

/** Prints the health of one service (or every service) in an environment; exit 1 when any is unhealthy. */
export async function healthCommand(
  ctx: CommandContext,
  serviceArg: string | undefined,
  options: { env?: string },
): Promise<number> {
  const env = requireEnv(options.env);
  const { config, projectDir } = await loadProject(ctx);
  const ids = serviceArg ? [serviceArg] : Object.keys(config.services);
  if (serviceArg && !config.services[serviceArg]) {
    throw new UsageError(
      `no service '${serviceArg}' in the config (services: ${Object.keys(config.services).join(', ') || 'none'})`,
    );
  }
  if (ids.length === 0) throw new UsageError('the config declares no services');
  const platform = localPlatform(ctx, projectDir);
  const deployed = await platform.list();
  const reports: HealthReport[] = [];
  for (const id of ids) {
    const service = config.services[id];
    if (!service) continue;
    if (deployed.some((s) => s.service === id && s.env === env)) {
      try {
        reports.push(await platform.health({ service: id, env }));
        continue;
      } catch (error) {
        if (!(error instanceof PlatformError && error.code === 'SERVICE_NOT_FOUND')) throw error;
      }
    }
    // Not deployed: its dependencies can still be checked from here.
    const dependencies = await Promise.all(
      service.dependencies.map((dep) => checkDependency(dep, { ...ctx.io.env, ...service.env })),
    );
    reports.push({ service: id, env, healthy: false, instances: [], dependencies });
  }
  if (ctx.output.json) {
    for (const report of reports) ctx.output.data(report);
  } else {
    for (const report of reports)
      print(
        ctx,
        report,
        deployed.some((s) => s.service === report.service && s.env === env),
      );
  }
  return reports.every((r) => r.healthy) ? ExitCode.Ok : ExitCode.Failed;
}

function print(ctx: CommandContext, report: HealthReport, deployed: boolean): void {
  const { output } = ctx;
  const verdict = report.healthy ? output.paint('green', 'healthy') : output.paint('red', 'unhealthy');
  output.line(
    `${output.paint('bold', report.service)} (${report.env}): ${verdict}${deployed ? '' : ' (not deployed)'}`,
  );
  if (report.instances.length > 0) output.line('  instances:');
  for (const instance of report.instances) {
    const state = instance.ready ? output.paint('green', 'ready') : output.paint('yellow', 'not ready');
    output.line(
      `    ${instance.id} ${instance.phase} ${state} restarts=${instance.restarts}${instance.address ? ` ${instance.address}` : ''}`,
    );
    for (const probe of instance.probes) {
      const latency = probe.latencyMs !== undefined ? ` ${probe.latencyMs.toFixed(1)} ms` : '';
      output.line(
        `      ${probe.kind}: ${probe.status}${latency}${probe.message ? ` (${probe.message})` : ''}`,
      );
    }
    if (instance.message) output.line(`      ${instance.message}`);
  }
  if (report.dependencies.length > 0) output.line('  dependencies:');
  for (const dep of report.dependencies) {
    const mark = dep.ok ? output.paint('green', 'ok') : output.paint('red', 'FAIL');
    output.line(
      `    ${dep.name} (${dep.kind} ${dep.target}): ${mark} ${dep.latencyMs.toFixed(1)} ms - ${dep.message}`,
    );
  }
}

/** `--env` is required by service commands. */
export function requireEnv(env: string | undefined): string {
  if (!env) throw new UsageError('--env ENV is required (the environment the service runs in)');
  return env;
}
