// Recognises a process again by pid and start time, so a process started earlier (by an agent that
// has since restarted) can be adopted without mistaking a later process that reuses its pid for it.
import { isRunningState, readProcStat } from './proc-stat.js';

/** The start time of a live, non-zombie process, or undefined when there is no such process. */
export function processStartTime(pid: number): string | undefined {
  if (pid <= 0) return undefined;
  const stat = readProcStat(pid);
  return stat !== undefined && isRunningState(stat.state) ? stat.startTime : undefined;
}

/** True when `pid` is still the process that was started at `startTime` ('' when it was not known). */
export function isSameProcess(pid: number, startTime: string): boolean {
  const now = processStartTime(pid);
  return now !== undefined && (startTime === '' || now === startTime);
}
