// Tells whether a process group still has a running member, treating unreaped zombies as gone (Linux /proc).
import { readdirSync } from 'node:fs';
import { isRunningState, type ProcStat, readProcStat } from './proc-stat.js';

/** Asks "does anything in this group still run?"; cheap to call repeatedly while waiting for it to end. */
export type GroupProbe = () => boolean;

/**
 * A probe for group `pgid`. `kill(-pgid, 0)` alone also counts zombies, and an init that reaps orphans
 * lazily (some sandboxes take seconds) would keep the group "alive" long after everything in it died.
 * On Linux the probe therefore reads /proc: it re-checks the members it saw running last time and scans
 * all of /proc only when those are gone, to catch members forked meanwhile. Reads are synchronous: a few
 * small in-memory files, while async reads queue behind the libuv thread pool and took 100x longer.
 */
export function createGroupProbe(pgid: number): GroupProbe {
  let running: number[] = [];
  return () => {
    if (!groupExists(pgid)) return false;
    if (process.platform !== 'linux') return true;
    for (const pid of running) {
      const member = readProcStat(pid);
      if (member !== undefined && member.pgrp === pgid && isRunningState(member.state)) return true;
    }
    const scanned = scanGroup(pgid);
    // Nothing of the group in /proc while kill(2) sees it: /proc shows another PID namespace, trust kill(2).
    if (scanned === undefined || scanned.length === 0) return true;
    running = scanned.filter((member) => isRunningState(member.state)).map((member) => member.pid);
    return running.length > 0;
  };
}

/** True when `kill(-pgid, 0)` finds the group (including zombies, and members we may not signal). */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function scanGroup(pgid: number): ProcStat[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const members = entries.filter((name) => /^\d+$/.test(name)).map((name) => readProcStat(Number(name)));
  return members.filter((member): member is ProcStat => member?.pgrp === pgid);
}
