// Runs one job command as a CI runner does: bash leading its own process group, output streamed, no survivors.
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { isProcessGroupAlive, killProcessGroup, signalProcessGroup } from '../../process/process-group.js';
import { spawnProcessGroup } from '../../process/spawn-process-group.js';
import { appendStartRecord, collectOutputFile, createOutputFile, discardOutputFile } from './output-file.js';
import type { OutputStream, ProcessResult, RunProcessOptions, SpawnFailureReason } from './process-result.js';

const DEFAULT_GRACE_MS = 5000;
/** Grace for processes left behind (background jobs, daemons) once the job's shell exited by itself. */
const LEFTOVER_GRACE_MS = 500;
/** Bound on reading the pipes after the group is gone: a process that escaped the group may hold them open. */
const DRAIN_MS = 1000;
const MAX_TIMER_MS = 2 ** 31 - 1;

type StopReason = 'timed_out' | 'cancelled';

/** Runs `bash -eo pipefail -c command` to completion, timeout or cancellation; never throws. */
export async function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const graceMs = Math.max(0, options.graceMs ?? DEFAULT_GRACE_MS);
  const timeoutMs = options.timeoutMs ?? 0;

  if (options.signal?.aborted) return { status: 'cancelled', pid: undefined, durationMs: elapsed() };
  const cwdProblem = await checkCwd(options.cwd);
  if (cwdProblem !== undefined) return { status: 'spawn_failed', ...cwdProblem, durationMs: elapsed() };
  if (options.signal?.aborted) return { status: 'cancelled', pid: undefined, durationMs: elapsed() };
  const file = options.outputFile;
  if (file !== undefined) {
    try {
      createOutputFile(file);
    } catch (error) {
      const message = `cannot make the outputs file ${file}: ${describe(error)}`;
      return { status: 'spawn_failed', reason: 'spawn_error', message, durationMs: elapsed() };
    }
  }

  const group = spawnProcessGroup('bash', ['-eo', 'pipefail', '-c', options.command], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (!group.started) {
    if (file !== undefined) discardOutputFile(file);
    return spawnError(await group.error, elapsed());
  }
  const pid = group.pid;
  if (options.startRecord !== undefined) {
    try {
      appendStartRecord(options.startRecord, pid);
    } catch (error) {
      // A job whose start cannot be recorded could outlive a killed runner: it does not run.
      signalProcessGroup(pid, 'SIGKILL');
      await group.exit;
      if (file !== undefined) discardOutputFile(file);
      const message = `cannot record the start in ${options.startRecord.file}: ${describe(error)}`;
      return { status: 'spawn_failed', reason: 'spawn_error', message, durationMs: elapsed() };
    }
  }
  options.onStart?.(pid);

  const pipes = [
    readOutput(group.stdout as Readable, 'stdout', options.onOutput),
    readOutput(group.stderr as Readable, 'stderr', options.onOutput),
  ];
  let stop: { reason: StopReason; done: Promise<void> } | undefined;
  const terminate = (reason: StopReason): void => {
    stop ??= { reason, done: killProcessGroup(pid, graceMs) };
  };
  const timer =
    timeoutMs > 0 ? setTimeout(() => terminate('timed_out'), Math.min(timeoutMs, MAX_TIMER_MS)) : undefined;
  const onAbort = (): void => terminate('cancelled');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const exit = await group.exit;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  // The shell is gone but its background children may not be: nothing of a job may outlive it.
  if (stop !== undefined) await stop.done;
  else if (isProcessGroupAlive(pid)) await killProcessGroup(pid, Math.min(LEFTOVER_GRACE_MS, graceMs));
  await Promise.all(pipes.map((pipe) => pipe.drain(DRAIN_MS)));

  const succeeded = stop === undefined && exit.code === 0;
  const outputFile = file === undefined ? undefined : succeeded ? collectOutputFile(file) : undefined;
  if (file !== undefined && !succeeded) discardOutputFile(file);
  const durationMs = elapsed();
  if (stop?.reason === 'timed_out') return { status: 'timed_out', timeoutMs, pid, durationMs };
  if (stop?.reason === 'cancelled') return { status: 'cancelled', pid, durationMs };
  if (exit.code === 0)
    return { status: 'succeeded', exitCode: 0, pid, durationMs, ...(outputFile ? { outputFile } : {}) };
  return { status: 'failed', exitCode: exit.code, signal: exit.signal, pid, durationMs };
}

/** Forwards a pipe to `onOutput` as UTF-8 text, keeping multi-byte characters split across reads whole. */
function readOutput(
  stream: Readable,
  name: OutputStream,
  onOutput: RunProcessOptions['onOutput'],
): { drain(timeoutMs: number): Promise<void> } {
  const decoder = new StringDecoder('utf8');
  stream.on('data', (chunk: Buffer) => {
    const text = decoder.write(chunk);
    if (text.length > 0) onOutput(name, text);
  });
  stream.on('error', () => {}); // a broken pipe only ends the output early
  const closed = new Promise<void>((resolve) => stream.once('close', resolve));
  return {
    async drain(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      stream.destroy();
      const rest = decoder.end();
      if (rest.length > 0) onOutput(name, rest);
    },
  };
}

async function checkCwd(cwd: string): Promise<{ reason: SpawnFailureReason; message: string } | undefined> {
  try {
    if ((await stat(cwd)).isDirectory()) return undefined;
    return { reason: 'cwd_not_directory', message: `working directory is not a directory: ${cwd}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return { reason: 'cwd_missing', message: `working directory does not exist: ${cwd}` };
    }
    return { reason: 'spawn_error', message: `cannot use working directory ${cwd}: ${describe(error)}` };
  }
}

function spawnError(error: unknown, durationMs: number): ProcessResult {
  const message =
    (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'cannot start bash: not found on the PATH of the job environment'
      : `cannot start bash: ${describe(error)}`;
  return { status: 'spawn_failed', reason: 'spawn_error', message, durationMs };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
