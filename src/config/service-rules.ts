/**
 * Cross-field rules of `services:` and top-level `environments:`: one kind per probe and
 * dependency, URLs whose scheme fits their kind, ports used once, and deploy-stage
 * environments that the services reach; the deployment settings' rules are in strategy-rules.ts.
 */
import type { ConfigOutput } from './config-schema.js';
import { deploysServices } from './deploy-targets.js';
import type { ConfigPath, Diagnostic } from './diagnostic.js';
import type { ResolvedConfig } from './resolved.js';
import { pos, ruleDiagnostics } from './rule-diagnostics.js';
import { DEPENDENCY_KINDS } from './service-schema.js';
import type { ConfigSource } from './source.js';
import { checkStrategyRules } from './strategy-rules.js';
import { didYouMean } from './suggest.js';

const PROBE_KINDS = ['http', 'tcp', 'exec'] as const;

// The URL schemes each dependency kind accepts, and how to name them in a message.
const SCHEMES: Record<(typeof DEPENDENCY_KINDS)[number], { schemes: string[]; expected: string }> = {
  postgres: { schemes: ['postgres:', 'postgresql:'], expected: 'a postgres:// or postgresql:// URL' },
  redis: { schemes: ['redis:', 'rediss:'], expected: 'a redis:// or rediss:// URL' },
  rabbitmq: { schemes: ['amqp:', 'amqps:'], expected: 'an amqp:// or amqps:// URL' },
  http: { schemes: ['http:', 'https:'], expected: 'an http:// or https:// URL' },
};

/** Runs the service and environment rules and returns errors and warnings. */
export function checkServiceRules(
  config: ConfigOutput,
  resolved: ResolvedConfig,
  source: ConfigSource,
): Diagnostic[] {
  const { out, error } = ruleDiagnostics(source);

  for (const [id, service] of Object.entries(config.services)) {
    for (const which of ['readiness', 'liveness'] as const) {
      const probe = service.health[which];
      if (!probe) continue;
      const path: ConfigPath = ['services', id, 'health', which];
      const kinds = PROBE_KINDS.filter((k) => probe[k] !== undefined);
      if (kinds.length === 0)
        error(path, `a ${which} probe needs one of \`http\`, \`tcp\` or \`exec\``, source.keyAt(path));
      if (kinds.length > 1)
        error(
          [...path, kinds[1]!],
          `a probe has one of \`http\`, \`tcp\` or \`exec\`, not both \`${kinds[0]}\` and \`${kinds[1]}\``,
          source.keyAt([...path, kinds[1]!]),
        );
      if (probe.http !== undefined && !probe.http.startsWith('/'))
        error([...path, 'http'], `an http probe requests a path starting with '/', got '${probe.http}'`);
      if (probe.port !== undefined && probe.exec !== undefined && kinds.length === 1)
        error(
          [...path, 'port'],
          '`port` applies to `http` and `tcp` probes only',
          source.keyAt([...path, 'port']),
        );
      if (which === 'liveness' && probe.successThreshold !== 1)
        error(
          [...path, 'successThreshold'],
          `a liveness probe's successThreshold must be 1, got ${probe.successThreshold}`,
        );
    }
    const migrations = service.migrations;
    if (migrations && migrations.expand === undefined && migrations.contract === undefined)
      error(
        ['services', id, 'migrations'],
        'needs `expand` or `contract` (or both)',
        source.keyAt(['services', id, 'migrations']),
      );
    service.secrets.forEach((name, index) => {
      const path: ConfigPath = ['services', id, 'secrets', index];
      if (service.env[name] !== undefined)
        error(path, `${name} is both in \`env\` and in \`secrets\`: keep it in one`);
      else if (/^(PORT|HOST|SLIPWAY_.*)$/.test(name))
        error(path, `${name} is set by Slipway for every instance and cannot be a secret`);
    });
    for (const [name, dep] of Object.entries(service.dependencies)) {
      const path: ConfigPath = ['services', id, 'dependencies', name];
      const kinds = DEPENDENCY_KINDS.filter((k) => dep[k] !== undefined);
      if (kinds.length === 0)
        error(
          path,
          `dependency '${name}' needs one of \`postgres\`, \`redis\`, \`rabbitmq\` or \`http\``,
          source.keyAt(path),
        );
      if (kinds.length > 1)
        error(
          [...path, kinds[1]!],
          `a dependency has one of \`postgres\`, \`redis\`, \`rabbitmq\` or \`http\`, not both \`${kinds[0]}\` and \`${kinds[1]}\``,
          source.keyAt([...path, kinds[1]!]),
        );
      for (const kind of kinds) {
        const url = dep[kind]!;
        // Placeholders are expanded when the dependency is checked, so the URL is only known then.
        if (url.includes('${')) continue;
        const { schemes, expected } = SCHEMES[kind];
        if (!schemes.includes(schemeOf(url) ?? ''))
          error([...path, kind], `expected ${expected}, got '${url}'`);
      }
    }
  }

  checkDependsOn(config, error);

  for (const [name, env] of Object.entries(config.environments)) {
    if (env.approval !== undefined && env.approval.required > 1)
      error(
        ['environments', name, 'approval', 'required'],
        `only 1 approval per gate is supported for now, got required: ${env.approval.required}`,
      );
  }

  const ports = new Map<number, string>();
  for (const [name, env] of Object.entries(config.environments)) {
    if (env.port === undefined) continue;
    const first = ports.get(env.port);
    if (first !== undefined)
      error(
        ['environments', name, 'port'],
        `port ${env.port} is already used by environment '${first}' (at ${pos(source.valueAt(['environments', first, 'port']))})`,
      );
    else ports.set(env.port, name);
  }

  if (Object.keys(resolved.services).length > 0 && Object.keys(resolved.environments).length > 0) {
    const warned = new Set<string>();
    for (const stage of resolved.stages) {
      if (stage.kind !== 'deploy') continue;
      for (const env of stage.environments) {
        if (deploysServices(resolved, env.name) || warned.has(env.name)) continue;
        warned.add(env.name);
        out.push({
          severity: 'warning',
          path: env.path,
          message: `environment '${env.name}' deploys no services: it is not listed under top-level \`environments:\``,
          ...source.keyAt(env.path),
        });
      }
    }
  }
  out.push(...checkStrategyRules(config, source));
  return out;
}

function schemeOf(url: string): string | undefined {
  try {
    return new URL(url).protocol;
  } catch {
    return undefined;
  }
}

/** `dependsOn`: services that exist, not the service itself, and no cycle. */
function checkDependsOn(config: ConfigOutput, error: (path: ConfigPath, message: string) => void): void {
  const ids = Object.keys(config.services);
  const edges = new Map<string, string[]>();
  for (const [id, service] of Object.entries(config.services)) {
    const valid: string[] = [];
    (service.dependsOn ?? []).forEach((other, i) => {
      const path: ConfigPath = ['services', id, 'dependsOn', i];
      if (other === id) error(path, `service '${id}' cannot depend on itself`);
      else if (!(other in config.services))
        error(path, `dependsOn unknown service '${other}'${didYouMean(other, ids)}`);
      else valid.push(other);
    });
    edges.set(id, valid);
  }
  // Depth-first: a service met again while its own dependencies are being walked closes a cycle.
  const state = new Map<string, 'walking' | 'done'>();
  const walk = (id: string, trail: string[]): void => {
    state.set(id, 'walking');
    for (const other of edges.get(id) ?? []) {
      if (state.get(other) === 'walking') {
        const cycle = [...trail.slice(trail.indexOf(other)), id, other];
        const at = (config.services[id]?.dependsOn ?? []).indexOf(other);
        error(['services', id, 'dependsOn', at], `dependsOn makes a cycle: ${cycle.join(' -> ')}`);
      } else if (state.get(other) === undefined) walk(other, [...trail, id]);
    }
    state.set(id, 'done');
  };
  for (const id of ids) if (state.get(id) === undefined) walk(id, []);
}
