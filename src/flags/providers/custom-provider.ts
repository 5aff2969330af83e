/**
 * A command as a rollout provider, for flag services Slipway has no client for: each share runs
 * the configured shell command in the config file's directory, with the flag, variant and percent
 * appended as arguments (`<command> FLAG VARIANT PERCENT`) and, with the baseline, in the
 * environment (SLIPWAY_FLAG, SLIPWAY_FLAG_VARIANT, SLIPWAY_FLAG_BASELINE, SLIPWAY_FLAG_PERCENT).
 * Exit 0 means the share is set; anything else, or running past the timeout, fails the step with
 * the tail of the command's output. `prepare` runs nothing: Slipway cannot ask a command what a
 * flag's variants are, so the baseline is the one configured, else `off`.
 */
import type { Readable } from 'node:stream';
import { killProcessGroup } from '../../process/process-group.js';
import { spawnProcessGroup } from '../../process/spawn-process-group.js';
import { FlagError } from '../errors.js';
import type { FlagProvider, FlagRolloutTarget } from './flag-provider.js';
import { shareInUnits } from './share-percent.js';

/** The baseline of a command's rollout that names none: the usual name of a flag's default variant. */
export const CUSTOM_DEFAULT_BASELINE = 'off';

/** Settings of one command provider. */
export interface CustomProviderOptions {
  /** A `/bin/sh` command; the arguments go after it, so with `a; b` only `b` gets them. */
  readonly command: string;
  /** Where it runs: the directory of the config file. */
  readonly cwd: string;
  /** The environment it starts from (the SLIPWAY_FLAG* variables are added); this process's when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long one run may take before its whole process group is killed; 30 s when absent (as `custom.timeout`). */
  readonly timeoutMs?: number;
}

type Target = FlagRolloutTarget & { readonly baseline: string };

/** How much of the combined output is kept, and how much of its end an error quotes. */
const OUTPUT_KEPT_CHARS = 4000;
const OUTPUT_QUOTED_CHARS = 600;
/** Between SIGTERM and SIGKILL when the command runs too long. */
const KILL_GRACE_MS = 2000;

/** Sets a flag's share by running a command. */
export class CustomProvider implements FlagProvider {
  readonly name = 'custom';
  readonly #options: CustomProviderOptions;

  constructor(options: CustomProviderOptions) {
    this.#options = options;
  }

  async prepare(target: FlagRolloutTarget): Promise<{ baseline: string }> {
    const baseline = target.baseline ?? CUSTOM_DEFAULT_BASELINE;
    assertDistinct(target.flag, target.variant, baseline);
    return { baseline };
  }

  async setShare(target: Target, percent: number): Promise<void> {
    shareInUnits('the flag command', percent, 1000);
    assertDistinct(target.flag, target.variant, target.baseline);
    const share = String(percent);
    const timeoutMs = this.#options.timeoutMs ?? 30_000;
    const run = await runCommand(this.#options.command, [target.flag, target.variant, share], {
      cwd: this.#options.cwd,
      env: {
        ...(this.#options.env ?? process.env),
        SLIPWAY_FLAG: target.flag,
        SLIPWAY_FLAG_VARIANT: target.variant,
        SLIPWAY_FLAG_BASELINE: target.baseline,
        SLIPWAY_FLAG_PERCENT: share,
      },
      timeoutMs,
    });
    if (run.status === 'exited' && run.code === 0) return;
    const what = `the flag command setting '${target.variant}' of flag '${target.flag}' to ${share}%`;
    const why =
      run.status === 'failed-to-start'
        ? `could not start: ${run.message}`
        : run.status === 'timeout'
          ? `did not finish within ${timeoutMs} ms and was killed`
          : run.status === 'killed'
            ? `was killed by ${run.signal}`
            : `exited with ${run.code}`;
    const tail = run.status === 'failed-to-start' ? '' : quoteTail(run.output);
    throw new FlagError(
      'FLAG_PROVIDER_FAILED',
      `${what} ${why}${tail === '' ? '' : `; its output ended with:\n${tail}`}`,
    );
  }

  toJSON(): { name: string; command: string; cwd: string } {
    return { name: this.name, command: this.#options.command, cwd: this.#options.cwd };
  }

  toString(): string {
    return `CustomProvider(${this.#options.command})`;
  }
}

function assertDistinct(flag: string, variant: string, baseline: string): void {
  if (variant === baseline)
    throw new FlagError(
      'FLAG_ROLLOUT_INVALID',
      `'${baseline}' is both the variant and the baseline of flag '${flag}': name the variant the rest get with \`baseline:\``,
    );
}

/** How a run ended, with the end of its combined output. */
type CommandRun =
  | { readonly status: 'exited'; readonly code: number; readonly output: string }
  | { readonly status: 'killed'; readonly signal: string; readonly output: string }
  | { readonly status: 'timeout'; readonly output: string }
  | { readonly status: 'failed-to-start'; readonly message: string };

/**
 * Runs `command "$@"` with `/bin/sh -c` and `args` as `$@` (so no argument is ever parsed by the
 * shell), in a process group of its own that is killed on timeout. Never rejects.
 */
async function runCommand(
  command: string,
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly env: Record<string, string | undefined>;
    readonly timeoutMs: number;
  },
): Promise<CommandRun> {
  const group = spawnProcessGroup('/bin/sh', ['-c', `${command} "$@"`, 'slipway-flag-command', ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (!group.started) return { status: 'failed-to-start', message: (await group.error).message };
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT_CHARS);
  };
  const pipes = [group.stdout, group.stderr].map((pipe) => (pipe ? drained(pipe, keep) : Promise.resolve()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void killProcessGroup(group.pid, KILL_GRACE_MS);
  }, options.timeoutMs);
  const { code, signal } = await group.exit;
  await Promise.all(pipes);
  clearTimeout(timer);
  if (timedOut) return { status: 'timeout', output };
  if (signal) return { status: 'killed', signal, output };
  return { status: 'exited', code: code ?? 0, output };
}

/** The last lines of `output`, at most OUTPUT_QUOTED_CHARS of them. */
function quoteTail(output: string): string {
  const trimmed = output.trimEnd();
  if (trimmed.length <= OUTPUT_QUOTED_CHARS) return trimmed;
  const tail = trimmed.slice(-OUTPUT_QUOTED_CHARS);
  const lineStart = tail.indexOf('\n');
  return `...${lineStart >= 0 ? tail.slice(lineStart) : tail}`;
}

/** Feeds a pipe to `onData` and resolves once it is closed. */
function drained(pipe: Readable, onData: (chunk: Buffer) => void): Promise<void> {
  pipe.on('data', onData);
  return new Promise((resolve) => pipe.once('close', () => resolve()));
}
