/** Plain reporter: timestamped lines, for CI logs, pipes and NO_COLOR terminals. */

import type { Reporter, RunEvent } from '../../pipeline/run-events.js';
import type { Output } from '../output.js';

function stamp(now: number): string {
  return new Date(now).toISOString().slice(11, 23);
}

/** Formats a duration in ms for people: `850ms`, `12.3s`, `2m05s`. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

/** Longest a line waits in the buffer when stdout is not a terminal. */
const BUFFER_MS = 20;
const BUFFER_CHARS = 64 * 1024;

/**
 * Writes one timestamped line per event and per log line. Off a terminal (CI logs, pipes, files)
 * lines are gathered for up to BUFFER_MS and written together: one write per burst, not per job.
 */
export function plainReporter(output: Output, clock: { now(): number }): Reporter {
  const buffered = output.target.stdout.isTTY !== true && !output.json;
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending;
    pending = '';
    output.write(text);
  };
  const line = (text: string) => {
    const stamped = `${stamp(clock.now())} ${text}`;
    if (!buffered) return output.line(stamped);
    pending += `${stamped}\n`;
    if (pending.length >= BUFFER_CHARS) flush();
    else timer ??= setTimeout(flush, BUFFER_MS);
  };
  return {
    report(event: RunEvent) {
      switch (event.type) {
        case 'run.started':
          line(`run ${event.run} started: ${event.pipeline} (${event.jobs.length} jobs)`);
          break;
        case 'job.started':
          line(`${event.job}: started${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`);
          break;
        case 'job.log':
          line(`${event.job} | ${event.text}`);
          break;
        case 'job.finished': {
          const code = event.exitCode !== null && event.status !== 'success' ? ` exit ${event.exitCode}` : '';
          const note = event.message ? ` - ${event.message}` : '';
          line(`${event.job}: ${event.status}${code} in ${humanDuration(event.durationMs)}${note}`);
          break;
        }
        case 'approval.waiting':
          line(`waiting for approval of ${event.environment}: run \`${event.command}\` (or reject it)`);
          break;
        case 'approval.decided':
          line(`${event.environment} ${event.decision} by ${event.by}`);
          break;
        case 'run.finished':
          line(`run ${event.run} ${event.status} in ${humanDuration(event.durationMs)}`);
          break;
      }
    },
    close: flush,
  };
}
