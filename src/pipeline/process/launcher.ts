/**
 * The launcher runner: starts job commands through a long-lived helper process (launcher-py.ts)
 * instead of forking the runner for each one. Same contract and semantics as runProcess: each
 * job is `bash -eo pipefail -c command` leading its own process group, output streamed as it
 * comes, timeouts and cancellation stop the whole group (SIGTERM, then SIGKILL), and nothing a
 * job started outlives it. Without python3 on the PATH it falls back to direct spawns.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { isProcessGroupAlive, killProcessGroup } from '../../process/process-group.js';
import { LAUNCHER_PY } from './launcher-py.js';
import { collectOutputFile, discardOutputFile } from './output-file.js';
import type { OutputFileResult, OutputStream, ProcessResult, RunProcessOptions } from './process-result.js';
import { type ProcessRunner, spawnRunner } from './process-runner.js';

const DEFAULT_GRACE_MS = 5000;
const LEFTOVER_GRACE_MS = 500;
const DRAIN_MS = 1000;

interface Job {
  onStart(pid: number): void;
  onFailed(message: string): void;
  onOutput(stream: OutputStream, data: Buffer): void;
  onExit(exit: Exit): void;
  onClosed(): void;
}

/** How a job's shell ended, as the launcher saw it right after reaping it. */
interface Exit {
  readonly status: number;
  /** Its process group still had members. */
  readonly leftovers: boolean;
  /** The outputs file, when the launcher collected it (no leftovers). */
  readonly file?: OutputFileResult;
}

const LAUNCHER_DIED: Exit = { status: -1000, leftovers: false };

/** Finds a python3 for the launcher: the system one if present (no version shims to go through), else PATH's. */
export function findPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', '/usr/local/bin/python3']) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // next
    }
  }
  const probe = spawnSync('python3', ['-I', '-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
    timeout: 5000,
  });
  const path = probe.stdout?.trim();
  return probe.status === 0 && path ? path : undefined;
}

/** Creates a runner that starts jobs through the launcher, or by direct spawns without python3. */
export function createLauncher(options: { python?: string | undefined; slots?: number } = {}): ProcessRunner {
  const python = 'python' in options ? options.python : findPython();
  if (python === undefined) return spawnRunner();
  const bash = findBash();
  let child: ChildProcess | undefined;
  let dead: string | undefined;
  let nextId = 0;
  // Sent but not yet started or refused: held by the launcher for a slot.
  let waiting = 0;
  const jobs = new Map<string, Job>();
  let buffer: Buffer = Buffer.alloc(0);

  const fail = (why: string) => {
    dead = why;
    waiting = 0;
    for (const job of jobs.values()) {
      job.onFailed(`spawn_error ${why}`);
      job.onExit(LAUNCHER_DIED);
      job.onClosed();
    }
    jobs.clear();
  };
  const parse = () => {
    for (;;) {
      const nl = buffer.indexOf(10);
      if (nl === -1) return;
      const head = buffer.subarray(0, nl).toString('latin1').split(' ');
      const [kind, id, value] = head;
      const len =
        kind === 'O' || kind === 'E' || kind === 'F' ? Number(value) : kind === 'X' ? Number(head[5]) : 0;
      if (buffer.length < nl + 1 + len) return;
      const data = buffer.subarray(nl + 1, nl + 1 + len);
      buffer = buffer.subarray(nl + 1 + len);
      const job = id === undefined ? undefined : jobs.get(id);
      if (!job) continue;
      if (kind === 'S') {
        waiting--;
        job.onStart(Number(value));
      } else if (kind === 'F') {
        waiting--;
        job.onFailed(data.toString('utf8'));
      } else if (kind === 'O') job.onOutput('stdout', Buffer.from(data));
      else if (kind === 'E') job.onOutput('stderr', Buffer.from(data));
      else if (kind === 'X') job.onExit(exitOf(head, data));
      else if (kind === 'C') job.onClosed();
    }
  };
  // The environment the launcher holds; each job sends only what differs from the previous one.
  let sentEnv: Readonly<Record<string, string>> = {};
  // Compared key by key with the environment last sent, held as the caller's own object (the
  // runner never changes one it was given): no copy of the environment per job.
  const envDelta = (env: Readonly<Record<string, string>>) => {
    const set: Record<string, string> = {};
    const unset: string[] = [];
    const held = sentEnv;
    for (const k in env) {
      const v = env[k];
      if (typeof v === 'string' && held[k] !== v) set[k] = v;
    }
    for (const k in held) if (typeof env[k] !== 'string' && typeof held[k] === 'string') unset.push(k);
    sentEnv = env;
    return { set, unset };
  };
  // Requests made in the same tick go out in one write.
  let outgoing: string[] = [];
  const send = (launcher: ChildProcess, request: object) => {
    outgoing.push(`${JSON.stringify(request)}\n`);
    if (outgoing.length > 1) return;
    process.nextTick(() => {
      const text = outgoing.join('');
      outgoing = [];
      launcher.stdin?.write(text);
    });
  };
  const ensure = (): ChildProcess => {
    if (child && dead === undefined) return child;
    dead = undefined;
    waiting = 0;
    sentEnv = {};
    buffer = Buffer.alloc(0);
    const c = spawn(python, ['-I', '-u', '-c', LAUNCHER_PY, String(options.slots ?? 0)], {
      env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C.UTF-8' },
      stdio: ['pipe', 'pipe', 'inherit'],
      detached: true,
    });
    c.on('error', (error) => fail(`cannot start the launcher: ${error.message}`));
    c.on('exit', (code, signal) => fail(`the launcher exited (${signal ?? code})`));
    c.stdin?.on('error', () => {});
    c.stdout?.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      parse();
    });
    child = c;
    return c;
  };

  const run = async (opts: RunProcessOptions): Promise<ProcessResult> => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const graceMs = Math.max(0, opts.graceMs ?? DEFAULT_GRACE_MS);
    if (opts.signal?.aborted) return { status: 'cancelled', pid: undefined, durationMs: elapsed() };
    const id = String(++nextId);
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    let resolveStart: (pid: number | string) => void = () => {};
    let resolveExit: (exit: Exit) => void = () => {};
    let resolveClosed: () => void = () => {};
    let closed = false;
    const startP = new Promise<number | string>((r) => {
      resolveStart = r;
    });
    const exitP = new Promise<Exit>((r) => {
      resolveExit = r;
    });
    const closedP = new Promise<void>((r) => {
      resolveClosed = r;
    });
    jobs.set(id, {
      onStart: (pid) => resolveStart(pid),
      onFailed: (message) => resolveStart(message),
      onOutput: (stream, data) => {
        const text = decoders[stream].write(data);
        if (text.length > 0) opts.onOutput(stream, text);
      },
      onExit: (exit) => resolveExit(exit),
      onClosed: () => {
        closed = true;
        resolveClosed();
      },
    });
    const launcher = ensure();
    const delta = envDelta(opts.env);
    const file = opts.outputFile;
    waiting++;
    send(launcher, {
      id,
      argv: [bash, '-eo', 'pipefail', '-c', opts.command],
      cwd: opts.cwd,
      ...delta,
      ...(file !== undefined ? { file } : {}),
      ...(opts.startRecord !== undefined ? { record: opts.startRecord } : {}),
    });
    // While queued for a slot, cancelling only takes the job out of the queue.
    const dequeue = () => send(launcher, { cancel: id });
    opts.signal?.addEventListener('abort', dequeue, { once: true });
    const pid = await startP;
    opts.signal?.removeEventListener('abort', dequeue);
    if (typeof pid === 'string' && opts.signal?.aborted) {
      jobs.delete(id);
      return { status: 'cancelled', pid: undefined, durationMs: elapsed() };
    }
    if (typeof pid === 'string') {
      jobs.delete(id);
      const space = pid.indexOf(' ');
      const reason = pid.slice(0, space);
      const message = pid.slice(space + 1);
      if (reason === 'cwd_missing' || reason === 'cwd_not_directory')
        return { status: 'spawn_failed', reason, message, durationMs: elapsed() };
      return {
        status: 'spawn_failed',
        reason: 'spawn_error',
        message: `cannot start bash: ${message}`,
        durationMs: elapsed(),
      };
    }
    opts.onStart?.(pid);
    let stop: { reason: 'timed_out' | 'cancelled'; done: Promise<void> } | undefined;
    const terminate = (reason: 'timed_out' | 'cancelled') => {
      stop ??= { reason, done: killProcessGroup(pid, graceMs) };
    };
    const timeoutMs = opts.timeoutMs ?? 0;
    const timer =
      timeoutMs > 0 ? setTimeout(() => terminate('timed_out'), Math.min(timeoutMs, 2 ** 31 - 1)) : undefined;
    const onAbort = () => terminate('cancelled');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    const exit = await exitP;
    const status = exit.status;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    // The shell is gone but its background children may not be: nothing of a job may outlive it.
    if (stop) await stop.done;
    else if (exit.leftovers && isProcessGroupAlive(pid))
      await killProcessGroup(pid, Math.min(LEFTOVER_GRACE_MS, graceMs));
    const succeeded = stop === undefined && status === 0;
    let outputFile: OutputFileResult | undefined;
    if (file !== undefined && exit.file === undefined && status !== -1000) {
      if (succeeded) outputFile = collectOutputFile(file);
      else discardOutputFile(file);
    } else outputFile = exit.file;
    if (!closed) {
      let drainTimer: NodeJS.Timeout | undefined;
      await Promise.race([closedP, new Promise<void>((r) => (drainTimer = setTimeout(r, DRAIN_MS)))]);
      clearTimeout(drainTimer);
    }
    jobs.delete(id);
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = decoders[stream].end();
      if (rest.length > 0) opts.onOutput(stream, rest);
    }
    const durationMs = elapsed();
    if (stop?.reason === 'timed_out') return { status: 'timed_out', timeoutMs, pid, durationMs };
    if (stop?.reason === 'cancelled') return { status: 'cancelled', pid, durationMs };
    if (status === -1000)
      return {
        status: 'spawn_failed',
        reason: 'spawn_error',
        message: dead ?? 'the launcher died',
        durationMs,
      };
    if (status === 0)
      return { status: 'succeeded', exitCode: 0, pid, durationMs, ...(outputFile ? { outputFile } : {}) };
    if (status < 0)
      return { status: 'failed', exitCode: null, signal: signalName(-status) ?? null, pid, durationMs };
    return { status: 'failed', exitCode: status, signal: null, pid, durationMs };
  };

  // Started now, so python's own start-up overlaps whatever the runner does before its first job.
  ensure();
  return {
    run,
    ...(options.slots ? { slots: options.slots, waiting: () => waiting } : {}),
    close: async () => {
      const c = child;
      if (!c || dead !== undefined) return;
      c.stdin?.end();
      await new Promise((resolve) => {
        const t = setTimeout(resolve, 2000);
        c.once('exit', () => {
          clearTimeout(t);
          resolve(undefined);
        });
      });
    },
  };
}

// `X id status alive what len`: see the protocol in launcher-py.ts.
function exitOf(head: readonly string[], data: Buffer): Exit {
  const status = Number(head[2]);
  const leftovers = head[3] === '1';
  const what = head[4];
  if (what === 'c') return { status, leftovers, file: { text: data.toString('utf8') } };
  if (what === 'g') return { status, leftovers, file: { text: '' } };
  if (what === 'e') return { status, leftovers, file: { error: data.toString('utf8') } };
  return { status, leftovers };
}

function signalName(n: number): NodeJS.Signals | undefined {
  return (Object.entries(constants.signals) as [NodeJS.Signals, number][]).find(([, v]) => v === n)?.[0];
}

function findBash(): string {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    try {
      const candidate = `${dir || '.'}/bash`;
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // next
    }
  }
  return '/bin/bash';
}
