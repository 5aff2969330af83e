/**
 * A lenient reading of a config that failed the schema, so the cross-field rules can still
 * run and every problem is reported at once: parts that parse are kept as they are, parts
 * that do not are kept only as far as the rules need them (ids, names, references).
 */
import type { ConfigOutput } from './config-schema.js';
import { deploymentFields, deploymentOverrideSchema } from './deployment-schema.js';
import { environmentSchema } from './environment-schema.js';
import { flagsSchema } from './flags-schema.js';
import { environmentFleetFields, hostsSchema, regionsSchema } from './fleet-schema.js';
import { jobSchema } from './job-schema.js';
import { stageSchema } from './pipeline-schema.js';
import { dependencySchema, probeSchema, serviceSchema } from './service-schema.js';

type Stage = NonNullable<ConfigOutput['pipeline']>['stages'][number];
type Job = ConfigOutput['jobs'][string];
type Service = ConfigOutput['services'][string];
type Environment = ConfigOutput['environments'][string];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

function placeholderJob(raw: unknown): Job {
  const needs = isObject(raw) ? strings(raw.needs) : [];
  return { run: 'true', needs, continueOnError: false };
}

function lenientJob(raw: unknown): Job {
  const parsed = jobSchema.safeParse(raw);
  return parsed.success ? parsed.data : placeholderJob(raw);
}

function lenientStage(raw: unknown, index: number): Stage {
  const parsed = stageSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const obj = isObject(raw) ? raw : {};
  type Ref = NonNullable<Stage['parallel']>[number];
  const refs = (list: unknown): Ref[] | undefined =>
    Array.isArray(list)
      ? list.flatMap((ref: unknown): Ref[] => {
          if (typeof ref === 'string') return [ref];
          if (isObject(ref) && typeof ref.name === 'string')
            return [{ ...lenientJob({ ...ref, name: undefined }), name: ref.name }];
          return [];
        })
      : undefined;
  const parallel = refs(obj.parallel);
  const steps = refs(obj.steps);
  const environments = Array.isArray(obj.environments)
    ? obj.environments.map((entry) =>
        isObject(entry) ? Object.fromEntries(Object.keys(entry).map((k) => [k, 'auto' as const])) : {},
      )
    : undefined;
  return {
    name: typeof obj.name === 'string' ? obj.name : `#${index}`,
    ...(parallel ? { parallel } : {}),
    ...(steps ? { steps } : {}),
    ...(environments ? { environments } : {}),
  };
}

// A service that fails the schema keeps the probes, dependencies and deploy overrides that parse on their own.
function lenientService(raw: unknown): Service {
  const parsed = serviceSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const obj = isObject(raw) ? raw : {};
  const health = isObject(obj.health) ? obj.health : {};
  const probe = (value: unknown) => {
    const p = probeSchema.safeParse(value);
    return p.success ? p.data : undefined;
  };
  const readiness = probe(health.readiness);
  const liveness = probe(health.liveness);
  const dependencies: Service['dependencies'] = {};
  if (isObject(obj.dependencies))
    for (const [name, dep] of Object.entries(obj.dependencies)) {
      const d = dependencySchema.safeParse(dep);
      if (d.success) dependencies[name] = d.data;
    }
  const deploy: Service['deploy'] = {};
  if (isObject(obj.deploy))
    for (const [env, settings] of Object.entries(obj.deploy)) {
      const d = deploymentOverrideSchema.safeParse(settings);
      if (d.success) deploy[env] = d.data;
    }
  return {
    run: 'true',
    source: '.',
    instances: 1,
    env: {},
    secrets: [],
    health: { ...(readiness ? { readiness } : {}), ...(liveness ? { liveness } : {}) },
    shutdown: { drain: 0, timeout: 0 },
    dependencies,
    deploy,
  };
}

// An environment that fails the schema keeps its port and each deployment section that parses on its own.
function lenientEnvironment(raw: unknown, fleet: boolean): Environment {
  const parsed = environmentSchema.safeParse(raw);
  if (parsed.success) return fleet ? parsed.data : withoutFleet(parsed.data);
  const obj = isObject(raw) ? raw : {};
  const part = <T>(schema: { safeParse(v: unknown): { success: boolean; data?: T } }, value: unknown): T => {
    const p = schema.safeParse(value);
    return (p.success ? p.data : schema.safeParse(undefined).data) as T;
  };
  const port = environmentSchema.shape.port.safeParse(obj.port);
  return {
    ...(port.success && port.data !== undefined ? { port: port.data } : {}),
    strategy: part(deploymentFields.strategy, obj.strategy),
    analysis: part(deploymentFields.analysis, obj.analysis),
    checks: part(deploymentFields.checks, obj.checks),
    hooks: part(deploymentFields.hooks, obj.hooks),
    ...(fleet ? fleetPart(environmentFleetFields.hosts, 'hosts', obj.hosts) : {}),
    ...(fleet ? fleetPart(environmentFleetFields.regions, 'regions', obj.regions) : {}),
    rollback: part(environmentFleetFields.rollback, obj.rollback),
  };
}

function fleetPart<K extends string, T>(
  schema: { safeParse(v: unknown): { success: boolean; data?: T } },
  key: K,
  value: unknown,
): Partial<Record<K, T>> {
  const p = schema.safeParse(value);
  return p.success && p.data !== undefined ? ({ [key]: p.data } as Partial<Record<K, T>>) : {};
}

function withoutFleet(env: Environment): Environment {
  const { hosts: _hosts, regions: _regions, ...rest } = env;
  return rest;
}

// A host that fails the schema would make names and regions look unknown: then no fleet rule runs.
function fleetParses(root: Record<string, unknown>): boolean {
  const hostMaps = [
    root.hosts,
    ...(isObject(root.environments)
      ? Object.values(root.environments).map((env) =>
          isObject(env) && isObject(env.hosts) ? env.hosts : undefined,
        )
      : []),
  ];
  return hostMaps.every((hosts) => hosts === undefined || hostsSchema.safeParse(hosts).success);
}

/** Reads raw config data as far as possible into the schema's output shape. */
export function lenientConfig(data: unknown): ConfigOutput {
  const root = isObject(data) ? data : {};
  const jobs: Record<string, Job> = {};
  if (isObject(root.jobs)) for (const [id, raw] of Object.entries(root.jobs)) jobs[id] = lenientJob(raw);
  const services: Record<string, Service> = {};
  if (isObject(root.services))
    for (const [id, raw] of Object.entries(root.services)) services[id] = lenientService(raw);
  const fleet = fleetParses(root);
  const environments: Record<string, Environment> = {};
  if (isObject(root.environments))
    for (const [name, raw] of Object.entries(root.environments))
      environments[name] = lenientEnvironment(raw, fleet);
  const hosts = fleet ? hostsSchema.safeParse(root.hosts) : undefined;
  const regions = fleet ? regionsSchema.safeParse(root.regions) : undefined;
  // `flags:` is kept only whole: the references to its flags are checked against all of it.
  const flags = root.flags !== undefined ? flagsSchema.safeParse(root.flags) : undefined;
  const rawStages =
    isObject(root.pipeline) && Array.isArray(root.pipeline.stages) ? root.pipeline.stages : undefined;
  return {
    version: 1,
    jobs,
    services,
    environments,
    ...(hosts?.success && root.hosts !== undefined ? { hosts: hosts.data } : {}),
    ...(regions?.success && root.regions !== undefined ? { regions: regions.data } : {}),
    ...(rawStages ? { pipeline: { stages: rawStages.map(lenientStage) } } : {}),
    ...(flags?.success ? { flags: flags.data } : {}),
  };
}
