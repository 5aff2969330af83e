// Reads what Slipway needs of a process from Linux's /proc/<pid>/stat: its state, group and start time.
import { readFileSync } from 'node:fs';

/** The fields of `/proc/<pid>/stat` that tell whether a process runs, which group it is in, and which process it is. */
export interface ProcStat {
  readonly pid: number;
  /** One letter: R, S, D, T, ... ; Z (zombie) and X (dead) mean it no longer runs. */
  readonly state: string;
  readonly pgrp: number;
  /** The kernel's start time (clock ticks since boot): tells a process from a later one reusing its pid. */
  readonly startTime: string;
}

/** The stat of `pid`, or undefined when there is no such process (or no /proc). */
export function readProcStat(pid: number): ProcStat | undefined {
  let line: string;
  try {
    line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone, or not Linux
  }
  // The command name in parentheses may itself hold spaces and ')': fields start after the last ')'.
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const pgrp = Number(fields[2]);
  const startTime = fields[19];
  if (state === undefined || startTime === undefined || !Number.isInteger(pgrp)) return undefined;
  return { pid, state, pgrp, startTime };
}

/** True for the states of a process that still runs (not a zombie awaiting its reaper, not dead). */
export function isRunningState(state: string): boolean {
  return state !== 'Z' && state !== 'X';
}
