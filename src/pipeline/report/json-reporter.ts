/** NDJSON reporter: one event per line on stdout, for `--json`. */
import type { Output } from '../../cli/output.js';
import type { Reporter, RunEvent } from './run-events.js';

/** Writes every run event as one JSON line. */
export function jsonReporter(output: Output): Reporter {
  return {
    report: (event: RunEvent) => output.data(event),
    close: () => {},
  };
}
