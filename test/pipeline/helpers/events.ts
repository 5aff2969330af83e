// The NDJSON event stream of `slipway run --json` and the JSON of `runs`/`events`/`logs`, as tests read them.
import assert from 'node:assert/strict';

/** Final statuses a job can report. */
export type JobStatus = 'success' | 'failure' | 'skipped' | 'cancelled' | 'timed_out';

/** A `job.finished` event. */
export interface JobFinished {
  readonly type: 'job.finished';
  readonly job: string;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly matrix?: Readonly<Record<string, string | number | boolean>>;
  readonly message?: string;
}

/** One line of `slipway run --json`. */
export type RunEvent =
  | { readonly type: 'run.started'; readonly run: number; readonly jobs?: readonly string[] }
  | { readonly type: 'job.started'; readonly job: string; readonly attempt: number }
  | {
      readonly type: 'job.log';
      readonly job: string;
      readonly stream: 'stdout' | 'stderr' | 'system';
      readonly text: string;
    }
  | JobFinished
  | {
      readonly type: 'approval.waiting';
      readonly run: number;
      readonly environment: string;
      readonly command: string;
    }
  | { readonly type: 'run.finished'; readonly run: number; readonly status: string }
  | { readonly type: 'approval.decided'; readonly environment: string };

/** A row of `slipway runs --json`. */
export interface RunRow {
  readonly id: number;
  readonly status: string;
  readonly trigger: string;
  readonly actor: string;
  readonly commitSha: string | null;
  readonly branch: string | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
}

/** A line of `slipway events --json`. */
export interface StoredEvent {
  readonly id: number;
  readonly type: string;
  readonly time: number;
  readonly actor: string;
  readonly environment: string | null;
  readonly runId: number | null;
  readonly subject: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A line of `slipway logs --json`. */
export interface LogRow {
  readonly jobKey: string;
  readonly attempt: number;
  readonly stream: string;
  readonly text: string;
}

/** Parses NDJSON, failing the test on any line that is not a JSON object. */
export function parseNdjson<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index): T => {
      try {
        return JSON.parse(line) as T;
      } catch {
        return assert.fail(`stdout line ${index + 1} is not JSON: ${line.slice(0, 200)}`);
      }
    });
}

/** The run's events, parsed from `slipway run --json` stdout. */
export function runEvents(stdout: string): RunEvent[] {
  return parseNdjson<RunEvent>(stdout);
}

/** The id announced by `run.started`. */
export function runIdOf(events: readonly RunEvent[]): number {
  const started = events.find((e) => e.type === 'run.started');
  assert.ok(started && started.type === 'run.started', 'no run.started event');
  return started.run;
}

/** The `job.finished` event of every job, by job key; a job reported twice fails the test. */
export function finishedJobs(events: readonly RunEvent[]): Map<string, JobFinished> {
  const out = new Map<string, JobFinished>();
  for (const e of events) {
    if (e.type !== 'job.finished') continue;
    assert.ok(!out.has(e.job), `job ${e.job} finished twice`);
    out.set(e.job, e);
  }
  return out;
}

/** Final status by job key, for deepEqual against the expected statuses. */
export function statusByJob(events: readonly RunEvent[]): Record<string, JobStatus> {
  return Object.fromEntries([...finishedJobs(events)].map(([key, e]) => [key, e.status]));
}

/** The `run.finished` status. */
export function runStatusOf(events: readonly RunEvent[]): string {
  const finished = events.filter((e) => e.type === 'run.finished');
  assert.equal(finished.length, 1, 'expected exactly one run.finished event');
  return (finished[0] as { status: string }).status;
}

/** Log text of one job from the event stream. */
export function logTextOf(events: readonly RunEvent[], job: string): string[] {
  return events.flatMap((e) => (e.type === 'job.log' && e.job === job ? [e.text] : []));
}

/** The events of a run still in progress: only the complete lines of its stdout so far. */
export function eventsSoFar(stdout: string): RunEvent[] {
  return runEvents(stdout.slice(0, stdout.lastIndexOf('\n') + 1));
}

/**
 * The run id once `run.started` has been read from a running `slipway run --json`: a job can start
 * (and write its files) before the reporter's line reaches the test through the pipe.
 */
export async function startedRunId(stdout: () => string, timeoutMs = 10_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const started = eventsSoFar(stdout()).find((e) => e.type === 'run.started');
    if (started && started.type === 'run.started') return started.run;
    if (performance.now() > deadline) return runIdOf(eventsSoFar(stdout()));
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
