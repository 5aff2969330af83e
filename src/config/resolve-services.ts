/**
 * Normalizes the `services:` and top-level `environments:` maps into their resolved form:
 * probes and dependencies keyed by kind, durations in milliseconds, each environment with its
 * deployment settings (resolve-deployments.ts). A probe or dependency
 * with no kind is left out; the rules report it.
 */

import type { ConfigOutput } from './config-schema.js';
import { resolveDatabases } from './databases-schema.js';
import type { EnvironmentOutput } from './environment-schema.js';
import { resolveProtection } from './protection-schema.js';
import { resolveDeployment } from './resolve-deployments.js';
import { resolveFleet } from './resolve-fleet.js';
import type {
  ResolvedDependency,
  ResolvedHost,
  ResolvedProbe,
  ResolvedProbeCheck,
  ResolvedService,
  ResolvedServiceEnvironment,
} from './resolved.js';
import { resolveInfrastructure } from './resolved-infrastructure.js';
import { resolveMigrations } from './resolved-migrations.js';
import { DEPENDENCY_KINDS, type ServiceOutput } from './service-schema.js';

type ProbeOutput = NonNullable<ServiceOutput['health']['readiness']>;
type DependencyOutput = ServiceOutput['dependencies'][string];

/** Every service of the config, resolved, by id. */
export function resolveServices(config: ConfigOutput): Record<string, ResolvedService> {
  const out: Record<string, ResolvedService> = {};
  for (const [id, service] of Object.entries(config.services)) out[id] = resolveService(id, service);
  return out;
}

/** Every top-level environment of the config, resolved, by name; `hosts` are the file's hosts. */
export function resolveServiceEnvironments(
  config: ConfigOutput,
  hosts: Readonly<Record<string, ResolvedHost>>,
): Record<string, ResolvedServiceEnvironment> {
  const out: Record<string, ResolvedServiceEnvironment> = {};
  for (const [name, env] of Object.entries(config.environments)) {
    const fleet = resolveFleet(config, name, env, hosts);
    out[name] = { ...resolveServiceEnvironment(name, env), ...(fleet ? { fleet } : {}) };
  }
  return out;
}

function resolveServiceEnvironment(name: string, env: EnvironmentOutput): ResolvedServiceEnvironment {
  return {
    name,
    ...(env.port !== undefined ? { port: env.port } : {}),
    approval: {
      required: env.approval?.required ?? 1,
      preventSelfApproval: env.approval?.preventSelfApproval ?? false,
    },
    ...resolveDeployment(env),
    ...(env.infrastructure ? { infrastructure: resolveInfrastructure(env.infrastructure) } : {}),
    ...(env.protection ? { protection: resolveProtection(env.protection) } : {}),
    ...(env.databases && env.databases.length > 0 ? { databases: resolveDatabases(env.databases) } : {}),
    path: ['environments', name],
  };
}

function resolveService(id: string, service: ServiceOutput): ResolvedService {
  const readiness = service.health.readiness && resolveProbe(service.health.readiness);
  const liveness = service.health.liveness && resolveProbe(service.health.liveness);
  return {
    id,
    run: service.run,
    source: service.source,
    instances: service.instances,
    env: service.env,
    ...(service.secrets.length > 0 ? { secrets: [...new Set(service.secrets)] } : {}),
    ...(readiness ? { readiness } : {}),
    ...(liveness ? { liveness } : {}),
    shutdown: { drainMs: service.shutdown.drain, timeoutMs: service.shutdown.timeout },
    dependencies: Object.entries(service.dependencies).flatMap(([name, dep]) => {
      const resolved = resolveDependency(name, dep);
      return resolved ? [resolved] : [];
    }),
    ...(service.dependsOn && service.dependsOn.length > 0
      ? { dependsOn: [...new Set(service.dependsOn)] }
      : {}),
    ...(service.migrations ? { migrations: resolveMigrations(service.migrations) } : {}),
    path: ['services', id],
  };
}

function resolveProbe(probe: ProbeOutput): ResolvedProbe | undefined {
  const port = probe.port !== undefined ? { port: probe.port } : {};
  const check: ResolvedProbeCheck | undefined =
    probe.http !== undefined
      ? { kind: 'http', path: probe.http, ...port }
      : probe.tcp
        ? { kind: 'tcp', ...port }
        : probe.exec !== undefined
          ? { kind: 'exec', command: probe.exec }
          : undefined;
  if (!check) return undefined;
  return {
    ...check,
    initialDelayMs: probe.initialDelay,
    periodMs: probe.period,
    timeoutMs: probe.timeout,
    successThreshold: probe.successThreshold,
    failureThreshold: probe.failureThreshold,
  };
}

function resolveDependency(name: string, dep: DependencyOutput): ResolvedDependency | undefined {
  const kind = DEPENDENCY_KINDS.find((k) => dep[k] !== undefined);
  if (kind === undefined) return undefined;
  return { name, kind, url: dep[kind]!, timeoutMs: dep.timeout };
}
