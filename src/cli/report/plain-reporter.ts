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

/** Writes one timestamped line per event and per log line. */
export function plainReporter(output: Output, clock: { now(): number }): Reporter {
  const line = (text: string) => output.line(`${stamp(clock.now())} ${text}`);
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
    close: () => {},
  };
}
