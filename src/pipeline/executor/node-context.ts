/** The `${{ }}` context of a node (status functions, needs, matrix, env, git, run) and the judge of jobs' `if`. */
import type { ResolvedJob } from '../../config/resolved.js';
import {
  type Condition,
  type EvalContext,
  evaluateCondition,
  parseCondition,
} from '../../expression/index.js';
import type { PlannedNode } from '../plan.js';
import { type ConditionJudge, type NodeFacts, succeeded } from './run-graph.js';

/** What a node's context reads besides the run graph. */
export interface ContextSources {
  readonly runId: number;
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly git: { readonly branch: string | null; readonly sha: string | null };
  readonly hashFiles: (patterns: string[]) => string;
  /** Read when a status function is called, so a job's `${{ cancelled() }}` sees a later cancel. */
  readonly cancelled: () => boolean;
}

/** The expression context of `node`, given what the run graph says about it. */
export function nodeContext(node: PlannedNode, facts: NodeFacts, sources: ContextSources): EvalContext {
  return {
    contexts: {
      needs: facts.needs,
      matrix: node.kind === 'job' ? (node.matrix ?? {}) : {},
      env: sources.baseEnv,
      git: { branch: sources.git.branch, sha: sources.git.sha },
      run: { id: sources.runId },
    },
    status: {
      success: () => succeeded(facts, sources.cancelled()),
      failure: () => facts.failedAbove,
      cancelled: () => sources.cancelled(),
    },
    hashFiles: sources.hashFiles,
  };
}

/** Evaluates jobs' `if` conditions, each parsed once; a broken one fails its job instead of the run. */
export function conditionJudge(
  jobs: Readonly<Record<string, ResolvedJob>>,
  sources: ContextSources,
): ConditionJudge {
  const parsed = new Map<string, Condition | Error>();
  const conditionOf = (jobId: string, source: string): Condition | Error => {
    let condition = parsed.get(jobId);
    if (!condition) {
      try {
        condition = parseCondition(source);
      } catch (error) {
        condition = error as Error;
      }
      parsed.set(jobId, condition);
    }
    return condition;
  };
  return (node, facts, cancelled) => {
    const source = jobs[node.jobId]?.if;
    if (source === undefined) return undefined;
    const condition = conditionOf(node.jobId, source);
    if (condition instanceof Error) return { error: `invalid if: ${condition.message}` };
    // The graph decides with the cancellation it knows of, so the verdict and its reasons agree.
    const context = nodeContext(node, facts, { ...sources, cancelled: () => cancelled });
    try {
      return { run: evaluateCondition(condition, context) };
    } catch (error) {
      const message = (error as Error).message;
      return { error: message.startsWith('invalid if') ? message : `if: ${message}` };
    }
  };
}
