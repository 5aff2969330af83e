/** The contract for running job commands, with two implementations: direct spawn and the launcher. */
import type { ProcessResult, RunProcessOptions } from './process-result.js';
import { runProcess } from './run-process.js';

/** Runs job commands; `close` releases whatever the runner keeps between commands. */
export interface ProcessRunner {
  run(options: RunProcessOptions): Promise<ProcessResult>;
  /**
   * When set, the runner itself runs at most this many commands at once and queues the rest,
   * starting each the moment a slot frees; callers may hand it more than that ahead of time.
   */
  readonly slots?: number;
  /** With slots: how many commands handed over are still waiting for one. */
  waiting?(): number;
  close(): Promise<void>;
}

/** Spawns each command from this process (simple; each spawn costs a fork of the whole runner). */
export function spawnRunner(): ProcessRunner {
  return { run: runProcess, close: async () => {} };
}
