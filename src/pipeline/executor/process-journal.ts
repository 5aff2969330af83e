/**
 * The process journal of a run: one line per job process started (`pgid key`), so a resumed run
 * can stop whatever a killed runner left running. The process runner appends each line itself the
 * moment the process exists (the launcher before it reports the start), so a runner killed right
 * after a job started still leaves its line behind.
 */
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../../state-files/private-modes.js';

/** Where the process groups of a run's job processes are recorded. */
export interface ProcessJournal {
  /** The file runners append `pgid key` lines to (RunProcessOptions.startRecord). */
  readonly file: string;
}

function journalPath(runDir: string): string {
  return join(runDir, 'processes.log');
}

/** Makes (owner-only) the journal of the run whose files live in `runDir`. */
export function openProcessJournal(runDir: string): ProcessJournal {
  const file = journalPath(runDir);
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  return { file };
}

/** The last process group recorded for each job of the run. */
export function readProcessJournal(runDir: string): Map<string, number> {
  const last = new Map<string, number>();
  const path = journalPath(runDir);
  if (!existsSync(path)) return last;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const space = line.indexOf(' ');
    const pgid = Number(line.slice(0, space));
    if (space > 0 && Number.isInteger(pgid) && pgid > 1) last.set(line.slice(space + 1), pgid);
  }
  return last;
}
