// Talks to HAProxy's master CLI (management guide 9.4) over its unix socket: one command line per
// connection in non-interactive mode, `@1 <command>` reaching the current worker's runtime API
// (9.3), and parsers for the `show proc` and `show stat` answers.
import { createConnection } from 'node:net';
import { TrafficDirectorError } from '../traffic-director.js';

/** Sends one line (commands separated by `;`) and resolves everything HAProxy answers. */
export function masterCommand(socketPath: string, line: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new TrafficDirectorError(
          'director_unavailable',
          `HAProxy did not answer "${line}" in ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    socket.on('connect', () => socket.end(`${line}\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(
        new TrafficDirectorError(
          'director_unavailable',
          `cannot reach HAProxy's master CLI: ${error.message}`,
          {
            cause: error,
          },
        ),
      );
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/**
 * Runs runtime commands on the current worker in one line; they answer nothing when they succeed,
 * so any text back is HAProxy's reason for refusing one of them.
 */
export async function workerCommands(socketPath: string, commands: readonly string[]): Promise<void> {
  if (commands.length === 0) return;
  const answer = await masterCommand(socketPath, commands.map((command) => `@1 ${command}`).join('; '));
  if (answer.trim() !== '') {
    throw new TrafficDirectorError(
      'command_failed',
      `HAProxy refused "${commands.join('; ')}": ${answer.trim()}`,
    );
  }
}

/** The master's reload counts and its current workers, from `show proc`. */
export interface ProcTable {
  readonly reloads: number;
  readonly failedReloads: number;
  readonly workers: readonly number[];
}

/** Parses `show proc`; undefined when the text is not its answer. */
export function parseShowProc(text: string): ProcTable | undefined {
  const lines = text.split('\n');
  const master = lines.map((line) => /^\d+\s+master\s+(\d+)\s+\[failed:\s*(\d+)\]/.exec(line)).find(Boolean);
  if (!master) return undefined;
  const workers: number[] = [];
  let section = '';
  for (const line of lines) {
    if (line.startsWith('#')) section = line.trim();
    else if (section === '# workers') {
      const match = /^(\d+)\s+worker\b/.exec(line);
      if (match) workers.push(Number(match[1]));
    }
  }
  return { reloads: Number(master[1]), failedReloads: Number(master[2]), workers };
}

/** One server's counters from `show stat`. */
export interface ServerStat {
  readonly requests: number;
  readonly serverErrors: number;
  readonly connectionErrors: number;
}

const RESPONSE_COLUMNS = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'];

/**
 * Counters by server name from `show stat` CSV (9.1), read by column name. A request is a response
 * the server sent (hrsp_*), a connect error (econ) or a response error (eresp); the names hold no
 * comma or quote, so splitting on commas is exact.
 */
export function parseShowStat(text: string, backend: string): Map<string, ServerStat> {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
  const col = (name: string): number => header.indexOf(name);
  if (col('pxname') < 0 || col('svname') < 0) {
    throw new TrafficDirectorError('command_failed', `unexpected answer to show stat: ${text.slice(0, 200)}`);
  }
  const stats = new Map<string, ServerStat>();
  for (const line of lines.slice(1)) {
    const fields = line.split(',');
    const value = (name: string): number => Number(fields[col(name)] || 0);
    const svname = fields[col('svname')];
    if (fields[col('pxname')] !== backend || svname === undefined) continue;
    if (svname === 'BACKEND' || svname === 'FRONTEND') continue;
    const errors = value('econ') + value('eresp');
    stats.set(svname, {
      requests: RESPONSE_COLUMNS.reduce((sum, name) => sum + value(name), 0) + errors,
      serverErrors: value('hrsp_5xx'),
      connectionErrors: errors,
    });
  }
  return stats;
}
