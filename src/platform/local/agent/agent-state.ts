/** The agent's state file: every unit and instance it runs, so a new agent can adopt them. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PRIVATE_FILE_MODE } from '../../../state-files/private-modes.js';
import type { SavedUnit } from './service-unit.js';

/** The whole state file. */
export interface SavedState {
  readonly version: 1;
  readonly units: readonly SavedUnit[];
}

/** Reads the state file; a missing or unreadable one is an empty state (reported through `warn`). */
export function readState(file: string, warn: (message: string) => void): SavedState {
  if (!existsSync(file)) return { version: 1, units: [] };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
    if (parsed.version !== 1 || !Array.isArray(parsed.units)) throw new Error('unknown format');
    return parsed;
  } catch (error) {
    warn(`ignoring unreadable state file ${file}: ${(error as Error).message}`);
    return { version: 1, units: [] };
  }
}

/** Writes the state file atomically (a crash leaves the old or the new file, never half of one). */
export function writeState(file: string, state: SavedState): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state)}\n`, { mode: PRIVATE_FILE_MODE });
  renameSync(tmp, file);
}
