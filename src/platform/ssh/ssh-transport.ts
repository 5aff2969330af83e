/**
 * One remote host reached with the OpenSSH client: every command shares one master connection
 * (ControlMaster=auto, a socket in a private 0700 folder, ControlPersist), so a deploy opens one TCP
 * connection per host however many commands it runs; `close()` ends the master and removes the folder.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunningState, readProcStat } from '../../process/proc-stat.js';
import { PRIVATE_DIR_MODE } from '../../state-files/private-modes.js';
import { classifySshFailure, sshLastWords } from './classify-failure.js';
import { SshError } from './errors.js';
import { type ProgramInput, type ProgramResult, runProgram } from './run-program.js';

import { SessionSlots } from './session-slots.js';
import {
  type ControlSettings,
  remoteCommandLine,
  sshControlArgs,
  sshForwardArgs,
  sshRunArgs,
} from './ssh-args.js';
import {
  checkTarget,
  describeTarget,
  SSH_DEFAULTS,
  type SshClientOptions,
  type SshTarget,
} from './ssh-target.js';

// What ssh says when a master's control socket does not exist (yet): worth a short retry.
const NO_CONTROL_SOCKET = /Control socket connect\(.*\): No such file or directory/;

/** How a transport runs its ssh processes. */
export interface SshTransportOptions {
  readonly client?: SshClientOptions | undefined;
  /** Where the private control folder is made; os.tmpdir() by default (socket paths must stay short). */
  readonly controlParent?: string | undefined;
  /** Commands carried at once by the one connection; sshd's MaxSessions is 10 by default. Default 8. */
  readonly maxSessions?: number | undefined;
}

/** A command for the host: an argv (each word quoted for the remote shell) or one shell string. */
export type RemoteCommand = string | readonly string[];

/** How to run one remote command. */
export interface RunOptions {
  readonly stdin?: ProgramInput;
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Throw `SSH_COMMAND_FAILED` when the command exits non-zero (default); false returns the result. */
  readonly check?: boolean | undefined;
  readonly maxOutputBytes?: number | undefined;
}

/** What a remote command did. */
export interface RemoteResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const SSH = 'ssh';
const MASTER_EXIT_WAIT_MS = 3000;

/** Runs commands on one host over one multiplexed SSH connection. */
export class SshTransport {
  readonly target: SshTarget;
  readonly #client: SshClientOptions;
  readonly #controlParent: string;
  readonly #slots: SessionSlots;
  readonly #closing = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Local unix sockets forwarded to the host's, by local path. */
  readonly #forwards = new Map<string, string>();
  #forwardCount = 0;
  #controlDir: string | undefined;
  #master: Promise<ControlSettings> | undefined;
  #lastUse = 0;
  #closed = false;

  constructor(target: SshTarget, options: SshTransportOptions = {}) {
    checkTarget(target);
    this.target = target;
    this.#client = options.client ?? {};
    this.#controlParent = options.controlParent ?? tmpdir();
    this.#slots = new SessionSlots(options.maxSessions ?? 8);
  }

  /** The private folder holding the control socket, once the first connection was made. */
  get controlDir(): string | undefined {
    return this.#controlDir;
  }

  /** Opens the master connection now (else the first command does): fails with the host's typed error. */
  async connect(): Promise<void> {
    await this.#track(this.#ensureMaster());
  }

  /** Runs `command` on the host; throws a typed `SshError` naming the host on any failure. */
  async run(command: RemoteCommand, options: RunOptions = {}): Promise<RemoteResult> {
    return this.#track(this.#run(command, options));
  }

  /**
   * Forwards a fresh local unix socket (in the private control folder) to the unix socket
   * `remotePath` on the host, through the master connection; resolves the local socket's path.
   * Nothing listens on TCP on either side. The forward ends with `close()`, and is made again when
   * the master connection has to be opened again (see `keepForwards`).
   */
  async forwardSocket(remotePath: string): Promise<string> {
    return this.#track(this.#forwardSocket(remotePath));
  }

  /**
   * Checks the master connection (opening it again, with its forwards, when it ended) and marks the
   * connection as used: callers that talk only through a forwarded socket call it before they do.
   */
  async keepForwards(): Promise<void> {
    await this.#track(this.#ensureMaster());
    this.#lastUse = Date.now();
  }

  /** Ends the master connection and removes the control folder; commands still running are stopped. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    await Promise.allSettled([...this.#inFlight]);
    if (this.#controlDir === undefined) return;
    const control = this.#controlSettings(this.#controlDir);
    const pid = await this.#masterPid(control);
    if (pid !== undefined)
      for (const [local, remote] of this.#forwards)
        await runProgram(
          SSH,
          sshForwardArgs(this.target, this.#client, control, 'cancel', { local, remote }),
          this.#programOptions(),
        );
    this.#forwards.clear();
    await runProgram(SSH, sshControlArgs(this.target, this.#client, control, 'exit'), this.#programOptions());
    if (pid !== undefined) await stopProcess(pid, MASTER_EXIT_WAIT_MS);
    await rm(this.#controlDir, { recursive: true, force: true });
  }

  async #forwardSocket(remote: string): Promise<string> {
    if (remote === '' || /[\s:\0]/.test(remote))
      throw new SshError(
        'SSH_FAILED',
        this.target.name,
        `Cannot forward to ${JSON.stringify(remote)} on ${describeTarget(this.target)}: a socket path may not hold spaces or ':'`,
      );
    const control = await this.#ensureMaster();
    this.#assertOpen();
    this.#forwardCount += 1;
    const local = join(this.#controlDir as string, `forward-${this.#forwardCount}.sock`);
    await this.#requestForward(control, local, remote);
    this.#forwards.set(local, remote);
    return local;
  }

  /** Asks the master to forward `local` to `remote` (a stale local socket file is removed first). */
  async #requestForward(control: ControlSettings, local: string, remote: string): Promise<void> {
    await rm(local, { force: true });
    const ask = () =>
      runProgram(SSH, sshForwardArgs(this.target, this.#client, control, 'forward', { local, remote }), {
        ...this.#programOptions(),
        timeoutMs: 15_000,
        signal: this.#closing.signal,
      });
    let result = await ask();
    // A master just started may not listen on its control socket yet (seen on a loaded machine):
    // that one answer is worth a few short retries; any other is not.
    const missing = (r: ProgramResult) =>
      r.status === 'exited' && r.code !== 0 && NO_CONTROL_SOCKET.test(r.stderr);
    for (let retry = 1; retry <= 5 && missing(result); retry++) {
      await new Promise((resolve) => setTimeout(resolve, 100 * retry));
      result = await ask();
    }
    if (result.status === 'not_started') throw clientMissing(this.target, result.error);
    if (result.status === 'aborted') throw closedError(this.target);
    if (result.status !== 'exited' || result.code !== 0) {
      const said = result.status === 'exited' ? sshLastWords(result.stderr) : 'no answer in time';
      throw new SshError(
        'SSH_FAILED',
        this.target.name,
        `Cannot forward a local socket to ${remote} on ${describeTarget(this.target)}: ${said || 'ssh refused'}`,
        { sshMessage: result.status === 'exited' ? result.stderr : undefined },
      );
    }
  }

  async #run(command: RemoteCommand, options: RunOptions): Promise<RemoteResult> {
    const control = await this.#ensureMaster();
    const release = await this.#slots.acquire();
    const line = remoteCommandLine(command);
    let result: ProgramResult;
    try {
      this.#assertOpen();
      const signals = [this.#closing.signal, ...(options.signal ? [options.signal] : [])];
      result = await runProgram(SSH, sshRunArgs(this.target, this.#client, control, line), {
        ...this.#programOptions(),
        stdin: options.stdin,
        timeoutMs: options.timeoutMs,
        signal: AbortSignal.any(signals),
        maxOutputBytes: options.maxOutputBytes,
      });
    } finally {
      release();
      this.#lastUse = Date.now();
    }
    return this.#judge(result, line, options, control);
  }

  async #judge(
    result: ProgramResult,
    line: string,
    options: RunOptions,
    control: ControlSettings,
  ): Promise<RemoteResult> {
    const who = describeTarget(this.target);
    const shown = line.length > 200 ? `${line.slice(0, 200)}...` : line;
    switch (result.status) {
      case 'not_started':
        throw clientMissing(this.target, result.error);
      case 'timed_out':
        throw new SshError(
          'SSH_COMMAND_TIMEOUT',
          this.target.name,
          `Command on ${who} did not finish within ${options.timeoutMs} ms: ${shown}`,
        );
      case 'aborted':
        throw new SshError(
          'SSH_COMMAND_ABORTED',
          this.target.name,
          `Command on ${who} was stopped: ${shown}`,
        );
      case 'too_large':
        throw new SshError(
          'SSH_OUTPUT_TOO_LARGE',
          this.target.name,
          `Command on ${who} wrote more output than allowed: ${shown}`,
        );
    }
    const remote = { exitCode: result.code, stdout: result.stdout.toString('utf8'), stderr: result.stderr };
    // 255 is both ssh's own failure and a remote exit status: a master still alive means the latter.
    if (result.code === 255 && !(await this.#masterPid(control))) {
      this.#master = undefined;
      const error = classifySshFailure(this.target, result.stderr);
      if (error.code !== 'SSH_FAILED') throw error;
      throw new SshError(
        'SSH_CONNECTION_LOST',
        this.target.name,
        `Lost the connection to ${who}: ${sshLastWords(result.stderr) || 'the master connection ended'}`,
        { sshMessage: result.stderr },
      );
    }
    if (result.code !== 0 && options.check !== false) {
      const said = sshLastWords(result.stderr);
      throw new SshError(
        'SSH_COMMAND_FAILED',
        this.target.name,
        `Command on ${who} failed with exit code ${result.code}: ${shown}${said === '' ? '' : `: ${said}`}`,
        { remote },
      );
    }
    return remote;
  }

  /** The master connection, started once; re-checked after idling long enough for ControlPersist to end it. */
  #ensureMaster(): Promise<ControlSettings> {
    this.#assertOpen();
    const persistMs = this.#persistSeconds() * 1000;
    if (this.#master !== undefined && Date.now() - this.#lastUse > persistMs / 2) {
      const previous = this.#master;
      this.#master = previous.then(async (control) =>
        (await this.#masterPid(control)) ? control : this.#startMaster(),
      );
    }
    this.#master ??= this.#startMaster();
    const master = this.#master;
    master.catch(() => {
      if (this.#master === master) this.#master = undefined;
    });
    return master;
  }

  async #startMaster(): Promise<ControlSettings> {
    if (this.#controlDir === undefined) {
      const dir = await mkdtemp(join(this.#controlParent, 'slipway-ssh-'));
      await chmod(dir, PRIVATE_DIR_MODE);
      this.#controlDir = dir;
    }
    const control = this.#controlSettings(this.#controlDir);
    const connectSeconds = this.#client.connectTimeoutSeconds ?? SSH_DEFAULTS.connectTimeoutSeconds;
    const result = await runProgram(SSH, sshRunArgs(this.target, this.#client, control, 'true'), {
      ...this.#programOptions(),
      timeoutMs: (connectSeconds * 2 + 10) * 1000,
      signal: this.#closing.signal,
    });
    this.#lastUse = Date.now();
    const who = describeTarget(this.target);
    if (result.status === 'not_started') throw clientMissing(this.target, result.error);
    if (result.status === 'aborted') throw closedError(this.target);
    if (result.status !== 'exited')
      throw new SshError(
        'SSH_HOST_UNREACHABLE',
        this.target.name,
        `Cannot reach host ${who}: no answer in time`,
      );
    if (result.code === 255) throw classifySshFailure(this.target, result.stderr);
    if (result.code !== 0)
      throw new SshError(
        'SSH_FAILED',
        this.target.name,
        `Logged in to ${who}, but its shell could not run \`true\` (exit code ${result.code}): ${sshLastWords(result.stderr)}`,
      );
    // A new master has none of the old one's forwards: the same local sockets are made again.
    for (const [local, remote] of this.#forwards) await this.#requestForward(control, local, remote);
    return control;
  }

  /** The pid of the live master connection, or undefined when there is none. */
  async #masterPid(control: ControlSettings): Promise<number | undefined> {
    const result = await runProgram(
      SSH,
      sshControlArgs(this.target, this.#client, control, 'check'),
      this.#programOptions(),
    );
    if (result.status !== 'exited' || result.code !== 0) return undefined;
    const match = /pid=(\d+)/.exec(result.stderr + result.stdout.toString('utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  }

  #controlSettings(dir: string): ControlSettings {
    return { path: join(dir, 'master'), persistSeconds: this.#persistSeconds() };
  }

  #persistSeconds(): number {
    return this.#client.controlPersistSeconds ?? SSH_DEFAULTS.controlPersistSeconds;
  }

  #programOptions(): { env: NodeJS.ProcessEnv } {
    return { env: this.#client.env ?? process.env };
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError(this.target);
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    const forget = () => this.#inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }
}

function closedError(target: SshTarget): SshError {
  return new SshError(
    'SSH_TRANSPORT_CLOSED',
    target.name,
    `The connection to ${describeTarget(target)} is closed`,
  );
}

/** The error for an ssh client that could not be started at all. */
export function clientMissing(target: SshTarget, cause: Error): SshError {
  return new SshError(
    'SSH_CLIENT_MISSING',
    target.name,
    `Cannot run the OpenSSH client to reach ${describeTarget(target)}: ${cause.message}. Install it (apt-get install openssh-client).`,
    { cause },
  );
}

/** Waits for `pid` to exit; SIGTERM when it outlives `waitMs` (a master that ignored `-O exit`). */
async function stopProcess(pid: number, waitMs: number): Promise<void> {
  // Remembered first, so a pid reused by another process meanwhile is never signalled.
  const startTime = readProcStat(pid)?.startTime;
  const deadline = Date.now() + waitMs;
  const running = () => {
    const stat = readProcStat(pid);
    // A zombie counts as gone: a detached master's reaper may be slow, or absent in a container.
    return stat !== undefined && stat.startTime === startTime && isRunningState(stat.state);
  };
  while (running()) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Exited just now.
      }
      return;
    }
    await sleep(20);
  }
}
