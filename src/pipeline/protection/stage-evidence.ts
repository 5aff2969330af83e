/**
 * The evidence behind `requiredStages`: a stage passed when every job of it (each matrix leg, each
 * environment of a deploy stage) succeeded in one run of the same pipeline and commit, this run
 * first, then earlier runs newest first.
 */
import type { ResolvedConfig } from '../../config/resolved.js';
import type { JobRun, Run, Store } from '../../store/store.js';
import { planPipeline } from '../plan.js';
import type { StageEvidence } from './gate-rules.js';

/** How many earlier runs of the commit are searched for a stage that passed. */
const EARLIER_RUNS = 50;

/** Whether each of `stages` passed on `run`'s commit, in the order given. */
export async function stageEvidence(
  store: Store,
  run: Run,
  config: ResolvedConfig,
  stages: readonly string[],
): Promise<StageEvidence[]> {
  if (stages.length === 0) return [];
  // The whole pipeline's jobs of each stage, whatever part of it this run was started with.
  const keysOf = new Map<string, string[]>();
  for (const node of planPipeline(config).nodes) {
    const keys = keysOf.get(node.stage);
    if (keys) keys.push(node.key);
    else keysOf.set(node.stage, [node.key]);
  }
  const current = jobsByKey(await store.listJobRuns(run.id));
  let earlier: Run[] | undefined;
  const jobsOf = new Map<number, Map<string, JobRun>>();
  const out: StageEvidence[] = [];
  for (const stage of stages) {
    const keys = keysOf.get(stage) ?? [];
    if (keys.length > 0 && passed(keys, current)) {
      out.push({ stage, status: 'passed', runId: run.id });
      continue;
    }
    let found: number | undefined;
    if (run.commitSha !== null && keys.length > 0) {
      earlier ??= (await store.listRuns({ commitSha: run.commitSha, limit: EARLIER_RUNS + 1 })).filter(
        (other) => other.id < run.id && other.pipeline === run.pipeline,
      );
      for (const other of earlier) {
        let jobs = jobsOf.get(other.id);
        if (!jobs) {
          jobs = jobsByKey(await store.listJobRuns(other.id));
          jobsOf.set(other.id, jobs);
        }
        if (passed(keys, jobs)) {
          found = other.id;
          break;
        }
      }
    }
    out.push(
      found === undefined
        ? { stage, status: 'missing', here: howItEnded(keys, current) }
        : { stage, status: 'passed', runId: found },
    );
  }
  return out;
}

function jobsByKey(jobs: readonly JobRun[]): Map<string, JobRun> {
  return new Map(jobs.map((job) => [job.jobKey, job]));
}

function passed(keys: readonly string[], jobs: ReadonlyMap<string, JobRun>): boolean {
  return keys.every((key) => jobs.get(key)?.status === 'success');
}

// What this run did with the stage, for the message: its first job that did not succeed.
function howItEnded(keys: readonly string[], jobs: ReadonlyMap<string, JobRun>): string {
  if (keys.length === 0) return 'it has no jobs';
  if (keys.every((key) => !jobs.has(key))) return 'it was not part of this run';
  for (const key of keys) {
    const job = jobs.get(key);
    if (!job) return `job '${key}' was not part of this run`;
    if (job.status !== 'success') return `job '${key}' ended ${job.status} in this run`;
  }
  return 'it did not pass';
}
