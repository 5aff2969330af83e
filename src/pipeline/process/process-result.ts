// The contract of running one job command: its options and the outcome, as plain data.

/** Which pipe of the job a chunk of output came from. */
export type OutputStream = 'stdout' | 'stderr';

/** What to run and how long to let it run. */
export interface RunProcessOptions {
  /** Shell script, run by `bash -eo pipefail -c`. */
  readonly command: string;
  /** Working directory; must exist. */
  readonly cwd: string;
  /** The complete environment of the job (include PATH: nothing is inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** Wall-clock limit; unset or <= 0 means none. */
  readonly timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL on timeout or cancellation (default 5000). */
  readonly graceMs?: number;
  /** Aborting it cancels the job. */
  readonly signal?: AbortSignal;
  /** Called with the pid (also the process group id) once the command has started. */
  readonly onStart?: (pid: number) => void;
  /** Receives decoded output as it arrives, chunk by chunk; must not throw. */
  readonly onOutput: (stream: OutputStream, chunk: string) => void;
  /**
   * A file made empty and owner-only before the command starts (the job's outputs file). It is
   * removed once the command and its group are gone; a success carries what it held.
   */
  readonly outputFile?: string;
  /**
   * Appends `<pid> <key>` to `file` as soon as the process exists, before `onStart`: the
   * launcher writes it itself, so a runner killed at any point after the start cannot lose it.
   */
  readonly startRecord?: { readonly file: string; readonly key: string };
}

/** What the outputs file held when the command succeeded: its text, or why it could not be read. */
export type OutputFileResult = { readonly text: string } | { readonly error: string };

/** Why a job could not be started at all. */
export type SpawnFailureReason = 'cwd_missing' | 'cwd_not_directory' | 'spawn_error';

/** How one command ended; `pid` (also the process group id) is set whenever a process was started. */
export type ProcessResult =
  | {
      readonly status: 'succeeded';
      readonly exitCode: 0;
      readonly pid: number;
      readonly durationMs: number;
      /** Set when `outputFile` was asked for. */
      readonly outputFile?: OutputFileResult;
    }
  | {
      readonly status: 'failed';
      /** Exit status, or null when the shell itself was killed by `signal`. */
      readonly exitCode: number | null;
      readonly signal: NodeJS.Signals | null;
      readonly pid: number;
      readonly durationMs: number;
    }
  | {
      readonly status: 'timed_out';
      readonly timeoutMs: number;
      readonly pid: number;
      readonly durationMs: number;
    }
  | { readonly status: 'cancelled'; readonly pid: number | undefined; readonly durationMs: number }
  | {
      readonly status: 'spawn_failed';
      readonly reason: SpawnFailureReason;
      readonly message: string;
      readonly durationMs: number;
    };
