// Runs the real `slipway` binary as a child process, with a clean environment and a hard timeout.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the CLI entry point under test: this repository's bin/slipway.js, or the one named
 * by SLIPWAY_E2E_BIN (to run the suite against another build, e.g. while dist/ is being rebuilt).
 */
export const SLIPWAY_BIN =
  process.env.SLIPWAY_E2E_BIN || fileURLToPath(new URL('../../../bin/slipway.js', import.meta.url));

/** Environment variables to set for one invocation; `undefined` removes a variable. */
export type EnvPatch = Readonly<Record<string, string | undefined>>;

/** How a finished invocation ended. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit. */
  readonly ms: number;
}

/** Options of one invocation. */
export interface CliOptions {
  readonly env?: EnvPatch;
  /** The child is SIGKILLed and the call rejects when it runs longer (default 20 s). */
  readonly timeoutMs?: number;
}

/** The environment every invocation starts from: no inherited NODE_OPTIONS or test-runner variables. */
export function baseEnv(patch: EnvPatch = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    CI: '1',
    SLIPWAY_ACTOR: 'tester',
  };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}

/** A running `slipway` process whose output is collected as it arrives. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when the process exits (rejects when it outlives its timeout). */
  readonly result: Promise<CliResult>;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches; rejects on timeout or when the process exits first. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** True until the process has exited. */
  running(): boolean;
}

/** Starts `slipway ...args` in `cwd` without waiting for it. */
export function startSlipway(cwd: string, args: readonly string[], options: CliOptions = {}): RunningCli {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const started = performance.now();
  const child = spawn(process.execPath, [SLIPWAY_BIN, ...args], {
    cwd,
    env: baseEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const describeCall = () => `slipway ${args.join(' ')} (in ${cwd})`;
  const result = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${describeCall()} did not exit within ${timeoutMs}ms\n--- stdout (tail)\n${stdout.slice(-3000)}\n--- stderr (tail)\n${stderr.slice(-3000)}`,
        ),
      );
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      exited = true;
      notify();
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
  // A caller that never awaits `result` (because an assertion failed first) must not crash the runner.
  result.catch(() => {});
  return {
    child,
    pid: child.pid!,
    result,
    stdout: () => stdout,
    stderr: () => stderr,
    running: () => !exited,
    waitForStdout(pattern, waitMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout)) done(() => resolve());
          else if (exited)
            done(() =>
              reject(
                new Error(
                  `${describeCall()} exited before stdout matched ${pattern}\n--- stdout\n${stdout.slice(-3000)}\n--- stderr\n${stderr.slice(-3000)}`,
                ),
              ),
            );
        };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(
                new Error(
                  `${describeCall()}: stdout did not match ${pattern} within ${waitMs}ms\n--- stdout\n${stdout.slice(-3000)}\n--- stderr\n${stderr.slice(-3000)}`,
                ),
              ),
            ),
          waitMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs `slipway ...args` in `cwd` to completion. */
export function runSlipway(
  cwd: string,
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  return startSlipway(cwd, args, options).result;
}

/** Formats a result for assertion messages. */
export function show(result: CliResult): string {
  return `exit ${result.code} (signal ${result.signal}) after ${Math.round(result.ms)}ms\n--- stdout (tail)\n${result.stdout.slice(-4000)}\n--- stderr (tail)\n${result.stderr.slice(-4000)}`;
}
