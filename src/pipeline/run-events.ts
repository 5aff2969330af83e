/** The events a pipeline run reports as it goes; reporters render them, the CLI picks the reporter. */

/** Final status of a job, as reported. */
export type JobResultStatus = 'success' | 'failure' | 'skipped' | 'cancelled' | 'timed_out';
/** Status a run ends (or pauses) in. */
export type RunResultStatus = 'success' | 'failure' | 'cancelled' | 'waiting';

/** One thing that happened during a run. */
export type RunEvent =
  | {
      readonly type: 'run.started';
      readonly run: number;
      readonly pipeline: string;
      readonly jobs: readonly string[];
    }
  | { readonly type: 'job.started'; readonly job: string; readonly attempt: number }
  | {
      readonly type: 'job.log';
      readonly job: string;
      readonly stream: 'stdout' | 'stderr' | 'system';
      readonly text: string;
    }
  | {
      readonly type: 'job.finished';
      readonly job: string;
      readonly status: JobResultStatus;
      readonly attempts: number;
      readonly exitCode: number | null;
      readonly durationMs: number;
      readonly matrix?: Readonly<Record<string, string | number | boolean>>;
      readonly message?: string;
    }
  | {
      readonly type: 'approval.waiting';
      readonly run: number;
      readonly environment: string;
      readonly command: string;
    }
  | {
      readonly type: 'approval.decided';
      readonly run: number;
      readonly environment: string;
      readonly decision: 'approved' | 'rejected';
      readonly by: string;
    }
  | {
      readonly type: 'run.finished';
      readonly run: number;
      readonly status: RunResultStatus;
      readonly durationMs: number;
    };

/** Receives run events; `close` is called once when the run ends. */
export interface Reporter {
  report(event: RunEvent): void;
  close(): void;
}
