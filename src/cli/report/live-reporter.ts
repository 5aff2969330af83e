/** Live reporter: one line per job (status, elapsed time, last log line), redrawn in place on a TTY. */

import type { Reporter, RunEvent } from '../../pipeline/run-events.js';
import type { Color, Output } from '../output.js';
import { humanDuration } from './plain-reporter.js';

interface Row {
  status: string;
  startedAt?: number;
  durationMs?: number;
  last: string;
}

const COLORS: Record<string, Color> = {
  pending: 'gray',
  running: 'cyan',
  success: 'green',
  failure: 'red',
  timed_out: 'red',
  cancelled: 'yellow',
  skipped: 'gray',
  waiting: 'magenta',
};
const MAX_ROWS = 40;

/** Redraws a table of jobs at most every 100 ms; finished output stays on screen. */
export function liveReporter(output: Output, clock: { now(): number }): Reporter {
  const rows = new Map<string, Row>();
  const notes: string[] = [];
  let drawn = 0;
  let header = '';
  let timer: NodeJS.Timeout | undefined;
  const width = () => Math.max(40, (output.target.stdout.columns ?? 100) - 1);
  const draw = () => {
    const now = clock.now();
    const lines = [header, ...notes];
    const entries = [...rows.entries()];
    const shown =
      entries.length > MAX_ROWS
        ? entries.filter(([, r]) => r.status === 'running' || r.status === 'failure').slice(0, MAX_ROWS)
        : entries;
    for (const [key, row] of shown) {
      const elapsed = row.durationMs ?? (row.startedAt !== undefined ? now - row.startedAt : undefined);
      const time = elapsed !== undefined ? humanDuration(elapsed).padStart(7) : '       ';
      const status = output.paint(COLORS[row.status] ?? 'gray', row.status.padEnd(9));
      const text = `${status} ${time}  ${key}  ${output.paint('dim', row.last)}`;
      lines.push(text.length > width() + 20 ? `${text.slice(0, width() + 10)}…` : text);
    }
    if (entries.length > shown.length)
      lines.push(output.paint('dim', `… ${entries.length - shown.length} more jobs`));
    const up = drawn > 0 ? `\u001b[${drawn}F` : '';
    output.write(`${up}${lines.map((l) => `${l}\u001b[K`).join('\n')}\n`);
    drawn = lines.length;
  };
  const schedule = () => {
    if (!timer)
      timer = setTimeout(() => {
        timer = undefined;
        draw();
      }, 100);
  };
  const ticker = setInterval(draw, 1000);
  ticker.unref();
  return {
    report(event: RunEvent) {
      switch (event.type) {
        case 'run.started':
          header = `run ${event.run}: ${event.pipeline}`;
          for (const job of event.jobs) rows.set(job, { status: 'pending', last: '' });
          break;
        case 'job.started':
          rows.set(event.job, {
            status: 'running',
            startedAt: clock.now(),
            last: event.attempt > 1 ? `attempt ${event.attempt}` : '',
          });
          break;
        case 'job.log': {
          const row = rows.get(event.job);
          if (row && event.text.trim() !== '') row.last = event.text.trim();
          break;
        }
        case 'job.finished': {
          const row = rows.get(event.job) ?? { status: 'pending', last: '' };
          row.status = event.status;
          row.durationMs = event.durationMs;
          if (event.message) row.last = event.message;
          rows.set(event.job, row);
          break;
        }
        case 'approval.waiting':
          notes.push(`waiting for approval of ${event.environment}: ${event.command}`);
          rows.set(`(approval) ${event.environment}`, { status: 'waiting', last: event.command });
          break;
        case 'approval.decided': {
          const row = rows.get(`(approval) ${event.environment}`);
          if (row) row.status = event.decision === 'approved' ? 'success' : 'failure';
          break;
        }
        case 'run.finished':
          header = `run ${event.run}: ${event.status} in ${humanDuration(event.durationMs)}`;
          break;
      }
      schedule();
    },
    close() {
      clearInterval(ticker);
      if (timer) clearTimeout(timer);
      timer = undefined;
      draw();
    },
  };
}
