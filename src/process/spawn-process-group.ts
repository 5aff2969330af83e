// Starts a command as the leader of a process group of its own, so the whole group can be signalled later.
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** How a group's leader ended; members it started may still run. */
export interface LeaderExit {
  /** Exit status, or null when the leader was killed by `signal`. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What to start and how. */
export interface SpawnGroupOptions {
  /** Working directory; the current one when unset. */
  readonly cwd?: string | undefined;
  /** The complete environment of the command: nothing is inherited. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** As for `child_process.spawn`: 'pipe' to read output, a file descriptor to write it straight to a file. */
  readonly stdio: StdioOptions;
}

/** A command started as a group leader, or why it could not be. */
export type SpawnedGroup =
  | {
      readonly started: true;
      /** The leader's pid, which is also the group id. */
      readonly pid: number;
      /** The leader's output pipes, when `stdio` asked for them. */
      readonly stdout: Readable | null;
      readonly stderr: Readable | null;
      /** Resolves when the leader exits; never rejects. */
      readonly exit: Promise<LeaderExit>;
      /** Lets this process exit while the group still runs (agent instances outlive the agent). */
      unref(): void;
    }
  | {
      readonly started: false;
      /** Why it could not start; most such errors are only reported a tick after spawning. */
      readonly error: Promise<Error>;
    };

/**
 * Spawns `file args` detached: in a new session and process group led by the command, so that
 * signalling the group (process-group.ts) reaches every process it starts. Never throws.
 */
export function spawnProcessGroup(
  file: string,
  args: readonly string[],
  options: SpawnGroupOptions,
): SpawnedGroup {
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: options.env,
      stdio: options.stdio,
      detached: true,
    });
  } catch (error) {
    // Most start failures arrive as an 'error' event, a few (a bad argument, some errnos) as a throw.
    return { started: false, error: Promise.resolve(asError(error)) };
  }
  const pid = child.pid;
  if (pid === undefined) {
    return { started: false, error: new Promise((resolve) => child.once('error', resolve)) };
  }
  // Once started, 'exit' always follows; a later 'error' (a failed signal delivery) changes nothing.
  child.on('error', () => {});
  const exit = new Promise<LeaderExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { started: true, pid, stdout: child.stdout, stderr: child.stderr, exit, unref: () => child.unref() };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
