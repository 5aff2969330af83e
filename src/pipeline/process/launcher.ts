/**
 * The launcher: a small long-lived bash process that forks job commands on our behalf.
 * Forking from a few-megabyte shell costs a fraction of forking the runner itself, which is
 * what makes thousand-job pipelines run at the speed of make. Each job runs in its own
 * process group (job control), writes its output to files this side tails, and reports its
 * exit status on the launcher's stdout. Same semantics as runProcess: timeouts and
 * cancellation stop the whole group, and nothing a job started outlives it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { isProcessGroupAlive, killProcessGroup } from './process-group.js';
import type { OutputStream, ProcessResult, RunProcessOptions } from './process-result.js';
import type { ProcessRunner } from './process-runner.js';

const DEFAULT_GRACE_MS = 5000;
const LEFTOVER_GRACE_MS = 500;
const POLL_MS = 20;
const READ_CHUNK = 256 * 1024;

// Reads `id script out err` lines. For each, a reporter subshell (job control on) starts the
// job as a background job, so the job leads a process group of its own, reports `start id pgid`,
// waits for it and reports `exit id status`. The job is the script sourced under
// The job subshell sources the script (exports, cd) and execs `bash -eo pipefail -c command`, so
// a job costs two forks of a small shell and one exec, where spawning from here forks the runner.
const SCRIPT = `while IFS=$'\\t' read -r __sw_id __sw_script __sw_out __sw_err; do
  (
    set -m
    ( . "$__sw_script" ) >"$__sw_out" 2>"$__sw_err" </dev/null &
    printf 'start\\t%s\\t%s\\n' "$__sw_id" "$!"
    wait "$!"
    printf 'exit\\t%s\\t%s\\n' "$__sw_id" "$?"
  ) &
done
wait
`;

interface Pending {
  onStart(pid: number): void;
  onExit(status: number): void;
}

/** Quotes a string for bash with single quotes. */
function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Creates a launcher that keeps its job files under `workDir`. */
export function createLauncher(options: { workDir: string }): ProcessRunner {
  const bashPath = findBash();
  let child: ChildProcess | undefined;
  let buffer = '';
  let nextId = 0;
  let dead: string | undefined;
  const pending = new Map<string, Pending>();
  const tails = new Set<() => void>();
  let poller: NodeJS.Timeout | undefined;
  mkdirSync(options.workDir, { recursive: true });

  const fail = (why: string) => {
    dead = why;
    for (const p of pending.values()) p.onExit(-1);
    pending.clear();
  };
  const ensure = (): ChildProcess => {
    if (child && dead === undefined) return child;
    dead = undefined;
    const c = spawn('bash', ['--noprofile', '--norc', '-c', SCRIPT], {
      env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' },
      stdio: ['pipe', 'pipe', 'ignore'],
      detached: true,
    });
    c.on('error', (error) => fail(`cannot start the launcher: ${error.message}`));
    c.on('exit', () => fail('the launcher exited'));
    c.stdin?.on('error', () => {});
    c.stdout?.setEncoding('utf8');
    c.stdout?.on('data', (chunk: string) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl !== -1) {
        const [kind, id, value] = buffer.slice(0, nl).split('\t');
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
        const p = id === undefined ? undefined : pending.get(id);
        if (!p) continue;
        if (kind === 'start') p.onStart(Number(value));
        else if (kind === 'exit') {
          pending.delete(id!);
          p.onExit(Number(value));
        }
      }
    });
    child = c;
    return c;
  };
  const startPolling = (tail: () => void) => {
    tails.add(tail);
    poller ??= setInterval(() => {
      for (const t of tails) t();
    }, POLL_MS);
  };
  const stopPolling = (tail: () => void) => {
    tails.delete(tail);
    if (tails.size === 0 && poller) {
      clearInterval(poller);
      poller = undefined;
    }
  };

  const run = async (opts: RunProcessOptions): Promise<ProcessResult> => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const graceMs = Math.max(0, opts.graceMs ?? DEFAULT_GRACE_MS);
    if (opts.signal?.aborted) return { status: 'cancelled', pid: undefined, durationMs: elapsed() };
    try {
      if (!statSync(opts.cwd).isDirectory()) {
        return {
          status: 'spawn_failed',
          reason: 'cwd_not_directory',
          message: `working directory is not a directory: ${opts.cwd}`,
          durationMs: elapsed(),
        };
      }
    } catch {
      return {
        status: 'spawn_failed',
        reason: 'cwd_missing',
        message: `working directory does not exist: ${opts.cwd}`,
        durationMs: elapsed(),
      };
    }
    const id = String(++nextId);
    const base = join(options.workDir, `job-${id}`);
    const files = { script: `${base}.sh`, stdout: `${base}.out`, stderr: `${base}.err` };
    const exports = Object.entries(opts.env)
      .filter(([k]) => ENV_NAME.test(k))
      .map(([k, v]) => `export ${k}=${quote(v)}`);
    writeFileSync(
      files.script,
      `${exports.join('\n')}\ncd -- ${quote(opts.cwd)} || exit 1\nexec ${quote(bashPath)} -eo pipefail -c ${quote(opts.command)}\n`,
    );
    writeFileSync(files.stdout, '');
    writeFileSync(files.stderr, '');
    const readers = (['stdout', 'stderr'] as const).map((stream) =>
      fileTail(files[stream], stream, opts.onOutput),
    );
    const tail = () => {
      for (const r of readers) r.read();
    };

    let launcher: ChildProcess;
    try {
      launcher = ensure();
    } catch (error) {
      return {
        status: 'spawn_failed',
        reason: 'spawn_error',
        message: `cannot start bash: ${(error as Error).message}`,
        durationMs: elapsed(),
      };
    }
    let resolveStart: (pid: number | undefined) => void = () => {};
    let resolveExit: (status: number) => void = () => {};
    const startP = new Promise<number | undefined>((r) => {
      resolveStart = r;
    });
    const exitP = new Promise<number>((r) => {
      resolveExit = r;
    });
    pending.set(id, {
      onStart: (pid) => resolveStart(pid),
      onExit: (status) => {
        resolveStart(undefined);
        resolveExit(status);
      },
    });
    launcher.stdin?.write(`${id}\t${files.script}\t${files.stdout}\t${files.stderr}\n`);
    const pid = await startP;
    if (pid === undefined) {
      cleanup(files, readers);
      return {
        status: 'spawn_failed',
        reason: 'spawn_error',
        message: dead ?? 'the launcher did not start the job',
        durationMs: elapsed(),
      };
    }
    startPolling(tail);
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
    // The reporter outlives the job's group (it is not in it), so the status always arrives,
    // unless the launcher itself dies: then every pending job resolves with -1.
    const status = await exitP;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    pending.delete(id);
    if (stop) await stop.done;
    else if (groupExists(pid) && isProcessGroupAlive(pid))
      await killProcessGroup(pid, Math.min(LEFTOVER_GRACE_MS, graceMs));
    stopPolling(tail);
    tail();
    cleanup(files, readers);
    const durationMs = elapsed();
    if (stop?.reason === 'timed_out') return { status: 'timed_out', timeoutMs, pid, durationMs };
    if (stop?.reason === 'cancelled') return { status: 'cancelled', pid, durationMs };
    if (status === 0) return { status: 'succeeded', exitCode: 0, pid, durationMs };
    if (status < 0)
      return {
        status: 'spawn_failed',
        reason: 'spawn_error',
        message: dead ?? 'the launcher died',
        durationMs,
      };
    // A shell status above 128 is how a wait reports a job killed by signal (status - 128).
    const signal = status > 128 ? signalName(status - 128) : undefined;
    if (signal) return { status: 'failed', exitCode: null, signal, pid, durationMs };
    return { status: 'failed', exitCode: status, signal: null, pid, durationMs };
  };

  return {
    run,
    close: async () => {
      if (child && dead === undefined) {
        child.stdin?.end();
        await new Promise((r) => {
          const t = setTimeout(r, 1000);
          child?.once('exit', () => {
            clearTimeout(t);
            r(undefined);
          });
        });
      }
      if (poller) clearInterval(poller);
      rmSync(options.workDir, { recursive: true, force: true });
    },
  };
}

function signalName(n: number): NodeJS.Signals | undefined {
  return (Object.entries(constants.signals) as [NodeJS.Signals, number][]).find(([, v]) => v === n)?.[0];
}

// Cheap first check: no process at all in the group (the common case once the job was reaped).
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function findBash(): string {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const candidate = join(dir || '.', 'bash');
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // next
    }
  }
  return '/bin/bash';
}

interface Tail {
  read(): void;
  close(): void;
}

// Follows a file the job writes, from where we stopped, decoding UTF-8 across reads.
function fileTail(path: string, stream: OutputStream, onOutput: RunProcessOptions['onOutput']): Tail {
  const fd = openSync(path, 'r');
  const decoder = new StringDecoder('utf8');
  const buf = Buffer.allocUnsafe(READ_CHUNK);
  let position = 0;
  let closed = false;
  return {
    read() {
      if (closed) return;
      for (;;) {
        const n = readSync(fd, buf, 0, READ_CHUNK, position);
        if (n <= 0) return;
        position += n;
        const text = decoder.write(buf.subarray(0, n));
        if (text.length > 0) onOutput(stream, text);
        if (n < READ_CHUNK) return;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      const rest = decoder.end();
      if (rest.length > 0) onOutput(stream, rest);
      closeSync(fd);
    },
  };
}

function cleanup(files: { script: string; stdout: string; stderr: string }, readers: Tail[]): void {
  for (const r of readers) r.close();
  for (const f of Object.values(files)) rmSync(f, { force: true });
}
