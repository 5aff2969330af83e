// The files a runner keeps for a job on its own side: the outputs file, made before the command and
// read and removed after it, and the start record, appended as soon as the process exists.
import { appendFileSync, closeSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { PRIVATE_FILE_MODE } from '../../state-files/private-modes.js';
import type { OutputFileResult } from './process-result.js';

/** Makes the file empty and owner-only: the job's shell would create it with its own umask. */
export function createOutputFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}

/** Reads and removes the file; a job that removed it has written nothing. */
export function collectOutputFile(path: string): OutputFileResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '' };
    return { error: (error as Error).message };
  }
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { error: (error as Error).message };
  }
  return { text };
}

/** Removes the file when the command did not succeed; what it held is not used. */
export function discardOutputFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already, or not ours to remove: nothing reads it
  }
}

/** Appends `<pid> <key>` to the start record file (owner-only when it is made). */
export function appendStartRecord(
  record: { readonly file: string; readonly key: string },
  pid: number,
): void {
  appendFileSync(record.file, `${pid} ${record.key}\n`, { mode: PRIVATE_FILE_MODE });
}
