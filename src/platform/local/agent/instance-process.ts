/**
 * Instance processes: started in a session of their own (so they outlive the agent), with output
 * going straight to a log file, and recognised again after an agent restart by pid and start time.
 */
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';

/** A started instance process. */
export interface StartedProcess {
  readonly pid: number;
  /** The kernel's start time of the process (clock ticks since boot), to tell pid reuse apart. */
  readonly startTime: string;
  /** Resolves with a description of how it ended, when the agent is its parent. */
  readonly exited: Promise<string>;
}

/** Starts `command` with `/bin/sh -c` in its own process group, appending its output to `logFile`. */
export function startProcess(
  command: string,
  options: { cwd: string; env: Record<string, string>; logFile: string },
): StartedProcess {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn('/bin/sh', ['-c', `exec ${command}`], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    const exited = new Promise<string>((resolve) => {
      child.once('error', (error) => resolve(`could not start: ${error.message}`));
      child.once('exit', (code, signal) =>
        resolve(signal ? `killed by ${signal}` : `exited with code ${code}`),
      );
    });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) return { pid: -1, startTime: '', exited };
    return { pid, startTime: processStartTime(pid) ?? '', exited };
  } finally {
    closeSync(fd);
  }
}

/** The start time of a live, non-zombie process, or undefined when there is no such process. */
export function processStartTime(pid: number): string | undefined {
  if (pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces), e.g. "S 1 123 ..."; start time is field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return fields[19];
}

/** True when `pid` is still the process that was started at `startTime`. */
export function isSameProcess(pid: number, startTime: string): boolean {
  const now = processStartTime(pid);
  return now !== undefined && (startTime === '' || now === startTime);
}

/** Sends a signal to the instance's whole process group; false when it is already gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** A loopback TCP port nobody listens on right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The last non-empty line of a log file (at most the last 4 KiB are read). */
export function lastLogLine(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, 4096);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer
      .toString('utf8')
      .split('\n')
      .map((line) => line.trim());
    return lines.filter((line) => line.length > 0).pop();
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
