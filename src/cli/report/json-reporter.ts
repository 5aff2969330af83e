/** NDJSON reporter: one event per line on stdout, for `--json`. */

import type { Reporter, RunEvent } from '../../pipeline/run-events.js';
import type { Output } from '../output.js';

/** Writes every run event as one JSON line. */
export function jsonReporter(output: Output): Reporter {
  return {
    report: (event: RunEvent) => output.data(event),
    close: () => {},
  };
}
