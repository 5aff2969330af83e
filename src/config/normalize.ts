/**
 * Normalizes schema output into the resolved config: inline jobs lifted into the job map,
 * retry and needs in one shape, matrix axes split from their rules, services and environments
 * resolved. Collisions are reported by the rules; here the first definition wins.
 */

import type { z } from 'zod';
import type { ConfigOutput } from './config-schema.js';
import type { ConfigPath } from './diagnostic.js';
import { resolveFindings } from './findings-schema.js';
import { resolveGitOps } from './gitops-schema.js';
import type { inlineJobSchema, JobOutput } from './job-schema.js';
import { resolveRelease } from './release-schema.js';
import { resolveDeployOverrides } from './resolve-deployments.js';
import { resolveHosts } from './resolve-fleet.js';
import { resolveServiceEnvironments, resolveServices } from './resolve-services.js';
import type {
  ResolvedConfig,
  ResolvedEnvironment,
  ResolvedJob,
  ResolvedMatrix,
  ResolvedStage,
} from './resolved.js';
import { resolveSecurity } from './security-schema.js';
import { resolveSlo } from './slo-schema.js';

type InlineJob = z.output<typeof inlineJobSchema>;

/** A job as found in the file, before duplicates are resolved. */
export interface JobDefinition {
  readonly id: string;
  readonly path: ConfigPath;
  readonly job: ResolvedJob;
}

/** Every job definition in file order (jobs map first, then inline jobs in stage order). */
export function collectJobs(config: ConfigOutput): JobDefinition[] {
  const found: JobDefinition[] = [];
  for (const [id, job] of Object.entries(config.jobs)) {
    const path = ['jobs', id];
    found.push({ id, path, job: resolveJob(id, job, path, undefined) });
  }
  config.pipeline?.stages.forEach((stage, s) => {
    for (const kind of ['parallel', 'steps'] as const) {
      stage[kind]?.forEach((ref, i) => {
        if (typeof ref === 'string') return;
        const path = ['pipeline', 'stages', s, kind, i];
        found.push({ id: ref.name, path, job: resolveJob(ref.name, ref, path, stage.name) });
      });
    }
  });
  return found;
}

/** Builds the resolved config; `projectName` is the fallback when the file names no project. */
export function normalize(config: ConfigOutput, projectName: string): ResolvedConfig {
  const stageOf = new Map<string, string>();
  const stages: ResolvedStage[] = [];
  config.pipeline?.stages.forEach((stage, s) => {
    const path = ['pipeline', 'stages', s];
    if (stage.environments) {
      stages.push({
        kind: 'deploy',
        name: stage.name,
        environments: resolveEnvironments(stage.environments, path),
        path,
      });
      return;
    }
    const refs = stage.parallel ?? stage.steps ?? [];
    const ids = refs.map((ref) => (typeof ref === 'string' ? ref : ref.name));
    for (const id of ids) if (!stageOf.has(id)) stageOf.set(id, stage.name);
    stages.push({ kind: stage.parallel ? 'parallel' : 'sequential', name: stage.name, jobs: ids, path });
  });
  const jobs: Record<string, ResolvedJob> = {};
  for (const { id, job } of collectJobs(config)) {
    if (id in jobs) continue;
    const stage = stageOf.get(id);
    jobs[id] = stage === undefined ? job : { ...job, stage };
  }
  const explicitPipeline = config.pipeline !== undefined;
  const hosts = resolveHosts(config);
  const gitops = resolveGitOps(config.gitops);
  if (!explicitPipeline && Object.keys(jobs).length > 0) {
    for (const id of Object.keys(jobs)) jobs[id] = { ...jobs[id]!, stage: 'default' };
    stages.push({ kind: 'parallel', name: 'default', jobs: Object.keys(jobs), path: ['jobs'] });
  }
  return {
    version: 1,
    project: {
      name: config.project?.name ?? projectName,
      ...(config.project?.description ? { description: config.project.description } : {}),
    },
    jobs,
    stages,
    explicitPipeline,
    ...(config.pipeline?.concurrency ? { concurrency: config.pipeline.concurrency } : {}),
    services: resolveServices(config),
    environments: resolveServiceEnvironments(config, hosts),
    deployOverrides: resolveDeployOverrides(config),
    release: resolveRelease(config.release),
    ...(Object.keys(hosts).length > 0 ? { hosts } : {}),
    ...(gitops ? { gitops } : {}),
    ...(config.slo ? { slo: resolveSlo(config.slo) } : {}),
    ...(config.security ? { security: resolveSecurity(config.security) } : {}),
  };
}

function resolveEnvironments(
  entries: readonly Record<string, unknown>[],
  stagePath: ConfigPath,
): ResolvedEnvironment[] {
  const out: ResolvedEnvironment[] = [];
  entries.forEach((entry, i) => {
    for (const [name, settings] of Object.entries(entry)) {
      const path = [...stagePath, 'environments', i, name];
      if (typeof settings === 'string')
        out.push({ name, approval: settings as ResolvedEnvironment['approval'], path });
      else {
        const s = settings as { approval: ResolvedEnvironment['approval']; run?: string };
        out.push({ name, approval: s.approval, ...(s.run ? { run: s.run } : {}), path });
      }
    }
  });
  return out;
}

function resolveJob(
  id: string,
  job: JobOutput | InlineJob,
  path: ConfigPath,
  stage: string | undefined,
): ResolvedJob {
  const retry =
    job.retry === undefined
      ? { maxAttempts: 1, backoffMs: 0 }
      : typeof job.retry === 'number'
        ? { maxAttempts: job.retry + 1, backoffMs: 0 }
        : { maxAttempts: job.retry.attempts, backoffMs: job.retry.backoff ?? 0 };
  const needs =
    job.needs === undefined ? [] : typeof job.needs === 'string' ? [job.needs] : [...new Set(job.needs)];
  return {
    id,
    ...(stage !== undefined ? { stage } : {}),
    ...(job.run !== undefined ? { run: job.run } : {}),
    ...(job.steps !== undefined ? { steps: job.steps } : {}),
    needs,
    ...(job.if !== undefined ? { if: job.if } : {}),
    ...(job.timeout !== undefined ? { timeoutMs: job.timeout } : {}),
    retry,
    continueOnError: job.continueOnError,
    env: job.env ?? {},
    ...(job.workdir !== undefined ? { workdir: job.workdir } : {}),
    ...(job.matrix !== undefined ? { matrix: resolveMatrix(job.matrix) } : {}),
    ...(job.cache !== undefined ? { cache: job.cache } : {}),
    artifacts: job.artifacts ?? [],
    secrets: job.secrets ?? [],
    ...(job.findings !== undefined ? { findings: resolveFindings(job.findings) } : {}),
    path,
  };
}

function resolveMatrix(matrix: NonNullable<JobOutput['matrix']>): ResolvedMatrix {
  const { include, exclude, failFast, maxParallel, ...axes } = matrix;
  return {
    axes: axes as ResolvedMatrix['axes'],
    include: include ?? [],
    exclude: exclude ?? [],
    failFast,
    ...(maxParallel !== undefined ? { maxParallel } : {}),
  };
}
