/**
 * The run graph: which nodes of a plan may start and which are decided without running. Pure
 * data, no I/O: it tracks needs, stage barriers, matrix legs (failFast, maxParallel), the
 * concurrency limit and cancellation, and the scheduler loop does what it says.
 */
import type { ResolvedJob } from '../../config/resolved.js';
import type { ArtifactManifest } from '../artifacts/artifact-store.js';
import type { PipelinePlan, PlannedDeployNode, PlannedJobNode, PlannedNode } from '../plan.js';
import { aggregateResult, type FinalStatus, isFailing, type NodeEnd, type NodeResult } from './node-state.js';

/** The rules of one job that decide scheduling. */
export interface JobRules {
  /** Job ids named in `needs`; one that ended skipped or cancelled makes `success()` false. */
  readonly needs: readonly string[];
  readonly continueOnError: boolean;
  /** A matrix job whose failing leg cancels its other legs. */
  readonly failFast: boolean;
  /** Most legs of a matrix job running at once. */
  readonly maxParallel?: number;
}

/** The scheduling rules of every job of a resolved config. */
export function jobRules(jobs: Readonly<Record<string, ResolvedJob>>): Record<string, JobRules> {
  return Object.fromEntries(
    Object.entries(jobs).map(([id, job]) => [
      id,
      {
        needs: job.needs,
        continueOnError: job.continueOnError,
        failFast: job.matrix?.failFast ?? false,
        ...(job.matrix?.maxParallel !== undefined ? { maxParallel: job.matrix.maxParallel } : {}),
      },
    ]),
  );
}

/** A needed job as `needs.<id>` shows it: the result over its legs and their merged outputs. */
export interface NeededJob {
  readonly result: FinalStatus;
  readonly outputs: Readonly<Record<string, string>>;
}

/** What a node's status functions and `needs` context read from the run so far. */
export interface NodeFacts {
  /** A node it needs, or an earlier stage, failed: `failure()` is true. */
  readonly failedAbove: boolean;
  /** A job named in its `needs` ended skipped or cancelled. */
  readonly neededSkipped: boolean;
  readonly needs: Readonly<Record<string, NeededJob>>;
}

/** `success()`: nothing above failed, nothing needed was skipped, and the run goes on. */
export function succeeded(facts: NodeFacts, cancelled: boolean): boolean {
  return !facts.failedAbove && !cancelled && !facts.neededSkipped;
}

/** A job's `if`, decided: whether it runs, or why it could not be evaluated. */
export type ConditionVerdict = { readonly run: boolean } | { readonly error: string };

/** Decides a job's `if`; undefined when the job has none (then `success()` decides). */
export type ConditionJudge = (
  node: PlannedJobNode,
  facts: NodeFacts,
  cancelled: boolean,
) => ConditionVerdict | undefined;

/** What the scheduler does next, in order. */
export type GraphStep =
  /** A job whose slot is taken: run it. */
  | { readonly kind: 'start'; readonly node: PlannedJobNode; readonly facts: NodeFacts }
  /** A deploy environment that may go ahead (deploys take no slot). */
  | { readonly kind: 'deploy'; readonly node: PlannedDeployNode; readonly facts: NodeFacts }
  /** A node decided without running; the graph has already completed it. */
  | {
      readonly kind: 'finish';
      readonly node: PlannedNode;
      readonly status: 'skipped' | 'cancelled' | 'failure';
      readonly message: string;
    };

/** What completing a node decided. */
export interface Completion {
  readonly result: NodeResult;
  /** The message to record: the node's own, or why failFast cancelled it. */
  readonly message?: string;
  /** Running legs to stop, because this leg failed its failFast matrix. */
  readonly abort: readonly string[];
}

/** How the graph is set up. */
export interface RunGraphOptions {
  readonly jobs: Readonly<Record<string, JobRules>>;
  /** Jobs that may run at once (deploy environments do not count). */
  readonly slots: number;
  /** Nodes a previous process finished (resume) or a previous run lends (rerun --failed). */
  readonly finished?: ReadonlyMap<string, NodeEnd>;
}

/** A job decided to run, with the facts its `if` saw. */
interface Decided {
  readonly node: PlannedJobNode;
  readonly facts: NodeFacts;
}

const FAIL_FAST_MESSAGE = 'cancelled: another matrix leg failed (failFast)';
const NO_RULES: JobRules = { needs: [], continueOnError: false, failFast: false };

/** The scheduling state of one run. */
export class RunGraph {
  readonly #plan: PipelinePlan;
  readonly #jobs: Readonly<Record<string, JobRules>>;
  readonly #slots: number;
  readonly #byKey: ReadonlyMap<string, PlannedNode>;
  readonly #legs = new Map<string, string[]>();
  readonly #dependents = new Map<string, string[]>();
  readonly #remaining = new Map<string, number>();
  readonly #stageRemaining: number[];
  readonly #stageFailed: boolean[];
  readonly #blocked: PlannedNode[][];
  #openStage = 0;
  #ready: PlannedNode[] = [];
  // Decided to run (their `if` evaluated once, when they became ready), waiting for a slot.
  #waiting: Decided[] = [];
  readonly #results = new Map<string, NodeResult>();
  readonly #running = new Set<string>();
  readonly #runningByJob = new Map<string, number>();
  readonly #failFast = new Set<string>();
  #cancelled = false;

  constructor(plan: PipelinePlan, options: RunGraphOptions) {
    this.#plan = plan;
    this.#jobs = options.jobs;
    this.#slots = options.slots;
    this.#byKey = new Map(plan.nodes.map((n) => [n.key, n]));
    for (const node of plan.nodes) {
      if (node.kind === 'job') push(this.#legs, node.jobId, node.key);
      this.#remaining.set(node.key, node.needs.length);
      for (const dep of node.needs) push(this.#dependents, dep, node.key);
    }
    this.#stageRemaining = plan.stages.map((s) => s.keys.length);
    this.#stageFailed = plan.stages.map(() => false);
    this.#blocked = plan.stages.map(() => []);
    this.#seed(options.finished ?? new Map());
  }

  /** True when every node has a result. */
  get done(): boolean {
    return this.#results.size >= this.#plan.nodes.length;
  }

  /** True once `cancel` was called. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** True when a node failed the run (a failure under continueOnError does not). */
  get failed(): boolean {
    return [...this.#results.values()].some((r) => isFailing(r.effective));
  }

  /** The result of a finished node. */
  result(key: string): NodeResult | undefined {
    return this.#results.get(key);
  }

  /** Keys of the jobs holding a slot. */
  running(): string[] {
    return [...this.#running];
  }

  /** Cancels the run: jobs still waiting for a slot are decided again (only always()/cancelled() ones run). */
  cancel(): void {
    this.#cancelled = true;
    this.#ready.push(...this.#waiting.map((w) => w.node));
    this.#waiting = [];
  }

  /**
   * Decides every node that became ready (run, skip, or fail on a broken `if`), then takes free
   * slots for what was decided to run, in order; a job at its maxParallel waits.
   */
  next(judge: ConditionJudge): GraphStep[] {
    const steps: GraphStep[] = [];
    const queue = this.#ready;
    this.#ready = [];
    for (const node of queue) {
      if (this.#results.has(node.key)) continue;
      const facts = this.facts(node);
      if (node.kind === 'deploy') {
        if (succeeded(facts, this.#cancelled)) steps.push({ kind: 'deploy', node, facts });
        else if (this.#cancelled) steps.push(this.#finish(node, 'cancelled', 'run cancelled'));
        else steps.push(this.#finish(node, 'skipped', 'an earlier job failed'));
        continue;
      }
      const verdict = judge(node, facts, this.#cancelled);
      if (verdict && 'error' in verdict) {
        steps.push(this.#finish(node, 'failure', verdict.error));
        continue;
      }
      if (!(verdict ? verdict.run : succeeded(facts, this.#cancelled))) {
        const why = this.#cancelled
          ? 'run cancelled'
          : verdict
            ? 'condition is false'
            : facts.failedAbove
              ? 'an earlier job failed'
              : 'a needed job was skipped';
        steps.push(this.#finish(node, this.#cancelled && !verdict ? 'cancelled' : 'skipped', why));
        continue;
      }
      if (this.#failFast.has(node.jobId) && !this.#cancelled) {
        steps.push(this.#finish(node, 'cancelled', FAIL_FAST_MESSAGE));
        continue;
      }
      this.#waiting.push({ node, facts });
    }
    // Compacted in place: entries[0, kept) still wait. Once every slot is taken and no fail-fast
    // is pending, nothing further down can change, so a long queue is not rescanned per call.
    const entries = this.#waiting;
    let kept = 0;
    let i = 0;
    for (; i < entries.length; i++) {
      if (this.#running.size >= this.#slots && this.#failFast.size === 0) break;
      const entry = entries[i]!;
      const { node } = entry;
      if (this.#failFast.has(node.jobId) && !this.#cancelled) {
        steps.push(this.#finish(node, 'cancelled', FAIL_FAST_MESSAGE));
        continue;
      }
      const maxParallel = this.#rules(node.jobId).maxParallel;
      const legsRunning = this.#runningByJob.get(node.jobId) ?? 0;
      if (this.#running.size >= this.#slots || (maxParallel !== undefined && legsRunning >= maxParallel)) {
        entries[kept++] = entry;
        continue;
      }
      this.#running.add(node.key);
      this.#runningByJob.set(node.jobId, legsRunning + 1);
      steps.push({ kind: 'start', node, facts: entry.facts });
    }
    if (kept < i) entries.splice(kept, i - kept);
    return steps;
  }

  /** Records how a node that ran ended; frees its slot and unblocks what follows it. */
  complete(key: string, end: NodeEnd): Completion {
    const node = this.#byKey.get(key);
    if (!node) throw new Error(`run graph: no node '${key}'`);
    let message = end.message;
    const abort: string[] = [];
    if (this.#running.delete(key) && node.kind === 'job') {
      this.#runningByJob.set(node.jobId, (this.#runningByJob.get(node.jobId) ?? 1) - 1);
      const rules = this.#rules(node.jobId);
      if (node.matrix && rules.failFast && isFailing(end.status) && !rules.continueOnError) {
        this.#failFast.add(node.jobId);
        for (const leg of this.#legs.get(node.jobId) ?? [])
          if (leg !== key && this.#running.has(leg)) abort.push(leg);
      }
      if (end.status === 'cancelled' && this.#failFast.has(node.jobId) && !this.#cancelled)
        message = FAIL_FAST_MESSAGE;
    }
    const effective = this.#effective(node, end.status);
    const result: NodeResult = {
      status: end.status,
      effective,
      outputs: end.outputs,
      ...(end.artifacts ? { artifacts: end.artifacts } : {}),
      failedUpstream: isFailing(effective) || this.#failedAbove(node),
    };
    this.#settle(node, result);
    return { result, ...(message !== undefined ? { message } : {}), abort };
  }

  /** What a node's status functions and `needs` context see. */
  facts(node: PlannedNode): NodeFacts {
    const failedAbove = this.#failedAbove(node);
    if (node.kind !== 'job') return { failedAbove, neededSkipped: false, needs: {} };
    const needs: Record<string, NeededJob> = {};
    for (const jobId of node.neededJobs) {
      const results = this.#legResults(jobId);
      needs[jobId] = {
        result: aggregateResult(results),
        outputs: Object.assign({}, ...results.map((r) => r.outputs)),
      };
    }
    // Needs outside the plan (--stage, --job) are not run here and do not count.
    const neededSkipped = this.#rules(node.jobId).needs.some((id) => {
      if (!this.#legs.has(id)) return false;
      const result = aggregateResult(this.#legResults(id));
      return result === 'skipped' || result === 'cancelled';
    });
    return { failedAbove, neededSkipped, needs };
  }

  /** Non-empty artifacts of the nodes `node` needs, to materialize before it runs. */
  neededArtifacts(node: PlannedNode): ArtifactManifest[] {
    return nonEmpty(node.needs.map((k) => this.#results.get(k)?.artifacts));
  }

  /** Non-empty artifacts of every finished node (a deploy environment gets them all). */
  allArtifacts(): ArtifactManifest[] {
    return nonEmpty([...this.#results.values()].map((r) => r.artifacts));
  }

  #seed(finished: ReadonlyMap<string, NodeEnd>): void {
    const seeded = new Map<string, NodeResult>();
    for (const node of this.#plan.nodes) {
      const end = finished.get(node.key);
      if (!end) continue;
      const effective = this.#effective(node, end.status);
      seeded.set(node.key, {
        status: end.status,
        effective,
        outputs: end.outputs,
        ...(end.artifacts ? { artifacts: end.artifacts } : {}),
        failedUpstream: isFailing(effective),
      });
    }
    // Plan order is topological, so one pass carries failures down.
    for (const node of this.#plan.nodes) {
      const r = seeded.get(node.key);
      if (r && !r.failedUpstream && node.needs.some((k) => seeded.get(k)?.failedUpstream))
        seeded.set(node.key, { ...r, failedUpstream: true });
    }
    for (const [key, r] of seeded) this.#settle(this.#byKey.get(key)!, r);
    // Settling queued dependents as it went; start over from what is really unfinished.
    this.#ready = [];
    for (const s of this.#blocked) s.length = 0;
    for (const node of this.#plan.nodes)
      if (!this.#results.has(node.key) && this.#remaining.get(node.key) === 0) this.#enqueue(node);
  }

  #settle(node: PlannedNode, result: NodeResult): void {
    this.#results.set(node.key, result);
    this.#stageRemaining[node.stageIndex]!--;
    if (isFailing(result.effective)) this.#stageFailed[node.stageIndex] = true;
    for (const next of this.#dependents.get(node.key) ?? []) {
      const left = this.#remaining.get(next)! - 1;
      this.#remaining.set(next, left);
      if (left === 0) this.#enqueue(this.#byKey.get(next)!);
    }
    while (this.#openStage < this.#plan.stages.length - 1 && this.#stageRemaining[this.#openStage] === 0) {
      this.#openStage++;
      this.#ready.push(...this.#blocked[this.#openStage]!);
      this.#blocked[this.#openStage] = [];
    }
  }

  #enqueue(node: PlannedNode): void {
    if (node.stageIndex <= this.#openStage) this.#ready.push(node);
    else this.#blocked[node.stageIndex]!.push(node);
  }

  #finish(node: PlannedNode, status: 'skipped' | 'cancelled' | 'failure', message: string): GraphStep {
    this.complete(node.key, { status, outputs: {}, message });
    return { kind: 'finish', node, status, message };
  }

  #failedAbove(node: PlannedNode): boolean {
    return (
      this.#stageFailed.slice(0, node.stageIndex).some(Boolean) ||
      node.needs.some((k) => this.#results.get(k)?.failedUpstream)
    );
  }

  #effective(node: PlannedNode, status: FinalStatus): FinalStatus {
    return status === 'failure' && node.kind === 'job' && this.#rules(node.jobId).continueOnError
      ? 'success'
      : status;
  }

  #legResults(jobId: string): NodeResult[] {
    return (this.#legs.get(jobId) ?? [])
      .map((k) => this.#results.get(k))
      .filter((r): r is NodeResult => r !== undefined);
  }

  #rules(jobId: string): JobRules {
    return this.#jobs[jobId] ?? NO_RULES;
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function nonEmpty(manifests: readonly (ArtifactManifest | undefined)[]): ArtifactManifest[] {
  return manifests.filter((m): m is ArtifactManifest => m !== undefined && m.files.length > 0);
}
