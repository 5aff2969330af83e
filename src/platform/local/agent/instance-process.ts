/**
 * Instance processes: started in a session of their own (so they outlive the agent), with output
 * going straight to a log file, and recognised again after an agent restart by pid and start time.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { signalProcessGroup } from '../../../process/process-group.js';
import { processStartTime } from '../../../process/process-identity.js';
import { spawnProcessGroup } from '../../../process/spawn-process-group.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../../state-files/private-modes.js';

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
  mkdirSync(dirname(options.logFile), { recursive: true, mode: PRIVATE_DIR_MODE });
  const fd = openSync(options.logFile, 'a', PRIVATE_FILE_MODE);
  try {
    const group = spawnProcessGroup('/bin/sh', ['-c', `exec ${command}`], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', fd, fd],
    });
    if (!group.started) {
      return {
        pid: -1,
        startTime: '',
        exited: group.error.then((error) => `could not start: ${error.message}`),
      };
    }
    group.unref();
    const exited = group.exit.then(({ code, signal }) =>
      signal ? `killed by ${signal}` : `exited with code ${code}`,
    );
    return { pid: group.pid, startTime: processStartTime(group.pid) ?? '', exited };
  } finally {
    closeSync(fd);
  }
}

/** Sends a signal to the instance's whole process group (or to it alone if it leads none); false when it is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  if (signalProcessGroup(pid, signal)) return true;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
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
