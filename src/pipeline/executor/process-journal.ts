/**
 * The process journal of a run: one line per job process started (`pgid key`), appended as it
 * starts, so a resumed run can stop whatever a killed runner left running. One open file and one
 * write per process keep it off the hot path.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../../state-files/private-modes.js';

/** Records the process group of each job process a run starts. */
export interface ProcessJournal {
  record(jobKey: string, pgid: number): void;
  close(): void;
}

function journalPath(runDir: string): string {
  return join(runDir, 'processes.log');
}

/** Opens (appending) the journal of the run whose files live in `runDir`. */
export function openProcessJournal(runDir: string): ProcessJournal {
  const fd = openSync(journalPath(runDir), 'a', PRIVATE_FILE_MODE);
  return {
    record: (jobKey, pgid) => {
      writeSync(fd, `${pgid} ${jobKey}\n`);
    },
    close: () => closeSync(fd),
  };
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
