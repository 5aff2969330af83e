// Builders for run-graph tests: plans, nodes, ends and judges as plain data.
import type { ArtifactManifest } from '../../src/pipeline/artifacts/artifact-store.js';
import type { NodeEnd } from '../../src/pipeline/executor/node-state.js';
import {
  type ConditionJudge,
  type GraphStep,
  type JobRules,
  type NodeFacts,
  RunGraph,
} from '../../src/pipeline/executor/run-graph.js';
import type {
  PipelinePlan,
  PlannedDeployNode,
  PlannedJobNode,
  PlannedNode,
} from '../../src/pipeline/plan.js';

type Scalar = string | number | boolean;

/** A job node (or a matrix leg with `jobId` and `matrix`); its needed jobs follow from `needs`. */
export function job(
  key: string,
  opts: { stage?: number; needs?: string[]; jobId?: string; matrix?: Record<string, Scalar> } = {},
): PlannedJobNode {
  const stageIndex = opts.stage ?? 0;
  const needs = opts.needs ?? [];
  return {
    kind: 'job',
    key,
    jobId: opts.jobId ?? key,
    stage: `stage${stageIndex}`,
    stageIndex,
    needs,
    neededJobs: [...new Set(needs.map((k) => k.replace(/\[.*$/, '')))],
    ...(opts.matrix ? { matrix: opts.matrix } : {}),
  };
}

/** A deploy environment node `deploy.<name>`. */
export function environment(
  name: string,
  stage: number,
  opts: { needs?: string[]; approval?: 'auto' | 'manual_approval' } = {},
): PlannedDeployNode {
  return {
    kind: 'deploy',
    key: `deploy.${name}`,
    stage: `stage${stage}`,
    stageIndex: stage,
    needs: opts.needs ?? [],
    environment: name,
    approval: opts.approval ?? 'auto',
    run: `deploy ${name}`,
  };
}

/** A plan of these nodes, with one stage per stage index. */
export function planOf(...nodes: PlannedNode[]): PipelinePlan {
  const count = Math.max(...nodes.map((n) => n.stageIndex)) + 1;
  const stages = Array.from({ length: count }, (_, index) => ({
    name: `stage${index}`,
    index,
    keys: nodes.filter((n) => n.stageIndex === index).map((n) => n.key),
  }));
  return { nodes, stages };
}

/** A graph of `plan`: every job needs what its node needs, fails fast, and does not continue on error unless `rules` say so. */
export function graphOf(
  plan: PipelinePlan,
  opts: {
    rules?: Record<string, Partial<JobRules>>;
    slots?: number;
    finished?: Record<string, NodeEnd>;
  } = {},
): RunGraph {
  const jobs: Record<string, JobRules> = {};
  for (const node of plan.nodes) {
    if (node.kind !== 'job') continue;
    jobs[node.jobId] = {
      needs: node.neededJobs,
      continueOnError: false,
      failFast: true,
      ...opts.rules?.[node.jobId],
    };
  }
  return new RunGraph(plan, {
    jobs,
    slots: opts.slots ?? 8,
    finished: new Map(Object.entries(opts.finished ?? {})),
  });
}

/** A success, with outputs. */
export const ok = (outputs: Record<string, string> = {}): NodeEnd => ({ status: 'success', outputs });
/** A failure. */
export const failed: NodeEnd = { status: 'failure', outputs: {} };
/** A job stopped by cancellation. */
export const cancelledEnd: NodeEnd = { status: 'cancelled', outputs: {}, message: 'cancelled' };

/** Jobs without an `if` everywhere. */
export const noIf: ConditionJudge = () => undefined;

/** A judge from per-job conditions; a string is an evaluation error. */
export function judgeOf(
  conditions: Record<string, (facts: NodeFacts, cancelled: boolean) => boolean | string>,
): ConditionJudge {
  return (node, facts, cancelled) => {
    const condition = conditions[node.jobId];
    if (!condition) return undefined;
    const verdict = condition(facts, cancelled);
    return typeof verdict === 'string' ? { error: verdict } : { run: verdict };
  };
}

/** `always()` */
export const always = () => true;
/** `failure()` */
export const failure = (facts: NodeFacts) => facts.failedAbove;

/** Steps as short lines: `start build`, `finish gated skipped: condition is false`. */
export function summary(steps: readonly GraphStep[]): string[] {
  return steps.map((s) =>
    s.kind === 'finish' ? `finish ${s.node.key} ${s.status}: ${s.message}` : `${s.kind} ${s.node.key}`,
  );
}

/** A manifest with one file. */
export function manifest(path: string): ArtifactManifest {
  return { files: [{ path, sha256: 'ab'.repeat(32), size: 6, mode: 0o644 }], totalBytes: 6 };
}
