/** The schema of one service: a long-running process with its instances, health checks and dependencies. */
import { z } from 'zod';
import { deploymentOverrideSchema } from './deployment-schema.js';
import { duration, envMap, envName, identifier, port } from './fields.js';
import { migrationsSchema } from './migrations-schema.js';

/** A health probe: one of `http`, `tcp` or `exec`, checked every `period`. */
export const probeSchema = z
  .strictObject({
    http: z
      .string()
      .min(1)
      .optional()
      .describe('Path requested with GET, e.g. `/healthz`; a 2xx or 3xx status passes.'),
    tcp: z.literal(true).optional().describe('`true`: the probe passes when the port accepts a connection.'),
    exec: z.string().min(1).optional().describe('Shell command; exit code 0 passes.'),
    port: port.optional().describe("Port probed by `http` or `tcp` (default: the instance's port)."),
    initialDelay: duration.prefault('0s').describe('Wait after the instance starts before the first check.'),
    period: duration.prefault('10s').describe('Time between checks.'),
    timeout: duration.prefault('1s').describe('A check that takes longer fails.'),
    successThreshold: z
      .int()
      .min(1)
      .default(1)
      .describe('Consecutive passes that make a failing instance healthy (must be 1 for liveness).'),
    failureThreshold: z
      .int()
      .min(1)
      .default(3)
      .describe('Consecutive failures that make a healthy instance unhealthy.'),
  })
  .describe('A health probe: exactly one of `http`, `tcp` or `exec`.');

/** Readiness (may it take traffic) and liveness (must it be restarted) probes. */
export const healthSchema = z
  .strictObject({
    readiness: probeSchema
      .optional()
      .describe(
        'Checked before an instance gets traffic and while it has it; failing takes it out of rotation.',
      ),
    liveness: probeSchema.optional().describe('Checked while an instance runs; failing restarts it.'),
  })
  .describe('Health probes of each instance (both optional).');

/** How an instance is stopped. */
export const shutdownSchema = z
  .strictObject({
    drain: duration
      .prefault('5s')
      .describe('Time between taking an instance out of rotation and sending it SIGTERM.'),
    timeout: duration.prefault('15s').describe('Time after SIGTERM before the instance is killed (SIGKILL).'),
  })
  .describe('How an instance is stopped: drained, then SIGTERM, then SIGKILL.');

/** The dependency kinds, in the order they are listed. */
export const DEPENDENCY_KINDS = ['postgres', 'redis', 'rabbitmq', 'http'] as const;

const dependencyUrl = (what: string) =>
  z
    .string()
    .min(1)
    .optional()
    .describe(`${what}; may use \`\${VAR}\` placeholders, expanded when the dependency is checked.`);

/** Something a service needs reachable before it is deployed: exactly one kind with its URL. */
export const dependencySchema = z
  .strictObject({
    postgres: dependencyUrl('PostgreSQL URL (`postgres://` or `postgresql://`)'),
    redis: dependencyUrl('Redis URL (`redis://`)'),
    rabbitmq: dependencyUrl('RabbitMQ URL (`amqp://` or `amqps://`)'),
    http: dependencyUrl('HTTP URL (`http://` or `https://`)'),
    timeout: duration.prefault('2s').describe('A check that takes longer fails.'),
  })
  .describe('A dependency: exactly one of `postgres`, `redis`, `rabbitmq` or `http`, with its URL.');

/** One service: a command run as a number of instances, each on its own port. */
export const serviceSchema = z
  .strictObject({
    run: z
      .string()
      .min(1)
      .describe("Shell command that starts one instance; `PORT` is set to the instance's port."),
    source: z
      .string()
      .min(1)
      .default('.')
      .describe("Directory the revision is made from, relative to the config file's directory."),
    instances: z.int().min(1).max(100).default(1).describe('Number of instances to run.'),
    env: envMap.prefault({}).describe('Environment variables passed to every instance.'),
    secrets: z
      .array(envName)
      .prefault([])
      .describe(
        'Environment variables passed to every instance as secrets, read at deploy like job secrets (the environment, else `.slipway/secrets.env`); the revision records each name with a keyed fingerprint of its value (its version), never the value.',
      ),
    health: healthSchema.prefault({}),
    shutdown: shutdownSchema.prefault({}),
    dependencies: z
      .record(identifier, dependencySchema)
      .prefault({})
      .describe('What the service needs reachable (databases, queues, other services), by name.'),
    migrations: migrationsSchema
      .optional()
      .describe('Expand/contract schema migrations run as rollout steps (default: none).'),
    dependsOn: z
      .array(identifier)
      .optional()
      .describe(
        'Services a GitOps pass brings in sync first (as Flux `dependsOn`): this one syncs only once they are in sync and healthy; not part of the revision.',
      ),
    deploy: z
      .record(identifier, deploymentOverrideSchema)
      .prefault({})
      .describe(
        "How the service is deployed, by environment, where it differs from the environment's settings; not part of the revision.",
      ),
  })
  .describe('A service: a long-running process deployed to the environments.');

export type ServiceInput = z.input<typeof serviceSchema>;
export type ServiceOutput = z.output<typeof serviceSchema>;
