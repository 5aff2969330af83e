/**
 * The pipeline planner: turns a resolved config into the DAG the executor runs, once, as
 * plain data. Matrix jobs become one node per leg, sequential stages chain their jobs, deploy
 * stages chain their environments, and stage order is kept as a barrier between stages.
 */

import { deploysServices } from '../config/deploy-targets.js';
import type { ResolvedConfig, ResolvedJob } from '../config/resolved.js';
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';
import { expandMatrix } from './matrix/expand-matrix.js';

type Scalar = string | number | boolean;

/** One node of the plan: a job, a matrix leg of a job, or a deploy environment. */
export type PlannedNode = PlannedJobNode | PlannedDeployNode;

interface NodeBase {
  /** Unique key: `build`, `test[node=18]` or `deploy.production`. */
  readonly key: string;
  readonly stage: string;
  readonly stageIndex: number;
  /** Keys of the nodes that must finish first (explicit needs and sequential order). */
  readonly needs: readonly string[];
}

/** A job (or one leg of a matrix job). */
export interface PlannedJobNode extends NodeBase {
  readonly kind: 'job';
  readonly jobId: string;
  /** Job ids named in `needs`, for the `needs.<id>` context. */
  readonly neededJobs: readonly string[];
  readonly matrix?: Readonly<Record<string, Scalar>>;
}

/** An environment of a deploy stage. */
export interface PlannedDeployNode extends NodeBase {
  readonly kind: 'deploy';
  readonly environment: string;
  readonly approval: 'auto' | 'manual_approval';
  readonly run?: string;
  /** Without `run`: the services the environment deploys (each with its strategy). */
  readonly services?: readonly string[];
}

/** A stage of the plan: its nodes start only after every earlier stage is complete. */
export interface PlannedStage {
  readonly name: string;
  readonly index: number;
  readonly keys: readonly string[];
}

/** The whole plan, nodes in a topological order. */
export interface PipelinePlan {
  readonly nodes: readonly PlannedNode[];
  readonly stages: readonly PlannedStage[];
}

/** Which part of the pipeline to plan. */
export interface PlanSelection {
  /** Run this job and, transitively, the jobs it needs. */
  readonly job?: string;
  /** Run only this stage. */
  readonly stage?: string;
}

/** Why a selection cannot be planned. */
export type PlanErrorCode = 'UNKNOWN_JOB' | 'UNKNOWN_STAGE' | 'CYCLE';

// The selection is well-formed but the config's pipeline cannot be planned with it.
const PLAN_ERROR_KINDS: KindTable<PlanErrorCode> = {
  UNKNOWN_JOB: 'invalid',
  UNKNOWN_STAGE: 'invalid',
  CYCLE: 'invalid',
};

/** A selection that cannot be planned. */
export class PlanError extends SlipwayError<PlanErrorCode> {
  override readonly name = 'PlanError';
  constructor(code: PlanErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, PLAN_ERROR_KINDS[code], message, options);
  }
}

/** Builds the DAG for `config`, optionally narrowed to one job or one stage. Pure. */
export function planPipeline(config: ResolvedConfig, selection: PlanSelection = {}): PipelinePlan {
  const legsOf = new Map<string, string[]>();
  const nodes: PlannedNode[] = [];
  const stages: PlannedStage[] = [];
  config.stages.forEach((stage, stageIndex) => {
    const keys: string[] = [];
    if (stage.kind === 'deploy') {
      let previous: string | undefined;
      for (const env of stage.environments) {
        const key = `${stage.name}.${env.name}`;
        nodes.push({
          kind: 'deploy',
          key,
          stage: stage.name,
          stageIndex,
          needs: previous ? [previous] : [],
          environment: env.name,
          approval: env.approval,
          ...(env.run !== undefined ? { run: env.run } : {}),
          ...(env.run === undefined && deploysServices(config, env.name)
            ? { services: Object.keys(config.services).sort() }
            : {}),
        });
        keys.push(key);
        previous = key;
      }
    } else {
      let previousJob: string | undefined;
      for (const jobId of stage.jobs) {
        const job = config.jobs[jobId];
        if (!job) continue;
        const legs = jobLegs(job);
        legsOf.set(
          jobId,
          legs.map((l) => l.key),
        );
        const implicit = stage.kind === 'sequential' && previousJob ? [previousJob] : [];
        for (const leg of legs) {
          nodes.push({
            kind: 'job',
            key: leg.key,
            jobId,
            stage: stage.name,
            stageIndex,
            needs: implicit,
            neededJobs: [...job.needs, ...(implicit.length > 0 ? [previousJob!] : [])],
            ...(leg.matrix ? { matrix: leg.matrix } : {}),
          });
          keys.push(leg.key);
        }
        previousJob = jobId;
      }
    }
    stages.push({ name: stage.name, index: stageIndex, keys });
  });
  // Needs name jobs; nodes depend on every leg of each needed job.
  const expanded = nodes.map((node): PlannedNode => {
    if (node.kind !== 'job') return node;
    const needs = new Set<string>();
    for (const jobId of node.neededJobs) for (const key of legsOf.get(jobId) ?? []) needs.add(key);
    return { ...node, needs: [...needs] };
  });
  return select(order({ nodes: expanded, stages }), selection);
}

function jobLegs(job: ResolvedJob): { key: string; matrix?: Record<string, Scalar> }[] {
  if (!job.matrix) return [{ key: job.id }];
  return expandMatrix(job.matrix).map((leg) => ({ key: `${job.id}[${leg.key}]`, matrix: leg.values }));
}

// Kahn's algorithm within stage order; the config rules already reject cycles.
function order(plan: PipelinePlan): PipelinePlan {
  const byKey = new Map(plan.nodes.map((n) => [n.key, n]));
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const node of plan.nodes) {
    const deps = node.needs.filter((k) => byKey.has(k));
    indegree.set(node.key, deps.length);
    for (const dep of deps) {
      const list = dependents.get(dep);
      if (list) list.push(node.key);
      else dependents.set(dep, [node.key]);
    }
  }
  const sorted: PlannedNode[] = [];
  for (const stage of plan.stages) {
    const queue = stage.keys.filter((k) => indegree.get(k) === 0);
    const inStage = new Set(stage.keys);
    const pending = new Set(stage.keys);
    while (queue.length > 0) {
      const key = queue.shift()!;
      if (!pending.delete(key)) continue;
      sorted.push(byKey.get(key)!);
      for (const next of dependents.get(key) ?? []) {
        const left = indegree.get(next)! - 1;
        indegree.set(next, left);
        if (left === 0 && inStage.has(next)) queue.push(next);
      }
    }
    if (pending.size > 0) throw new PlanError('CYCLE', `cycle among ${[...pending].join(', ')}`);
  }
  return { nodes: sorted, stages: plan.stages };
}

function select(plan: PipelinePlan, selection: PlanSelection): PipelinePlan {
  if (selection.job === undefined && selection.stage === undefined) return plan;
  let keep: Set<string>;
  if (selection.job !== undefined) {
    const roots = plan.nodes.filter((n) => n.kind === 'job' && n.jobId === selection.job).map((n) => n.key);
    if (roots.length === 0) throw new PlanError('UNKNOWN_JOB', `no job '${selection.job}' in the pipeline`);
    const byKey = new Map(plan.nodes.map((n) => [n.key, n]));
    keep = new Set();
    const stack = [...roots];
    while (stack.length > 0) {
      const key = stack.pop()!;
      if (keep.has(key)) continue;
      keep.add(key);
      stack.push(...(byKey.get(key)?.needs ?? []));
    }
  } else {
    const stage = plan.stages.find((s) => s.name === selection.stage);
    if (!stage) throw new PlanError('UNKNOWN_STAGE', `no stage '${selection.stage}' in the pipeline`);
    keep = new Set(stage.keys);
  }
  const nodes = plan.nodes
    .filter((n) => keep.has(n.key))
    .map((n) => ({ ...n, needs: n.needs.filter((k) => keep.has(k)) }));
  const stages = plan.stages
    .map((s) => ({ ...s, keys: s.keys.filter((k) => keep.has(k)) }))
    .filter((s) => s.keys.length > 0)
    .map((s, index) => ({ ...s, index }));
  const indexOf = new Map(stages.map((s) => [s.name, s.index]));
  return { nodes: nodes.map((n) => ({ ...n, stageIndex: indexOf.get(n.stage)! })), stages };
}
