/** One supervised child process (the agent or the router): started, restarted when it dies, stopped on request. */
import type { ChildProcess } from 'node:child_process';

/** A child that lived at least this long before dying is restarted at once. */
const HEALTHY_MS = 1000;
/** The longest wait before restarting a child that keeps dying right after it starts. */
const MAX_BACKOFF_MS = 5000;

/** How to run one child. */
export interface ChildSlotOptions {
  /** Names the child in log lines. */
  readonly name: string;
  readonly spawn: () => ChildProcess;
  /** Called with each new process (wire its messages here). */
  readonly started: (child: ChildProcess) => void;
  /** Called when a process exits, before any restart. */
  readonly exited: (child: ChildProcess) => void;
  readonly log: (line: string) => void;
}

/** Keeps one child process running until stopped. */
export class ChildSlot {
  private current: ChildProcess | undefined;
  private stopped = false;
  private quickExits = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ChildSlotOptions) {}

  /** The running process, if any. */
  get child(): ChildProcess | undefined {
    return this.current;
  }

  /** Starts the child (again). */
  start(): void {
    if (this.stopped) return;
    const startedAt = Date.now();
    const child = this.options.spawn();
    this.current = child;
    child.on('error', (error) => this.options.log(`${this.options.name}: ${error.message}`));
    child.once('exit', (code, signal) => {
      if (this.current === child) this.current = undefined;
      this.options.exited(child);
      if (this.stopped) return;
      this.quickExits = Date.now() - startedAt < HEALTHY_MS ? this.quickExits + 1 : 0;
      // A crash loop backs off (0.25 s, 0.5 s, ... 5 s); a child that had been running restarts at once.
      const delay = this.quickExits <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 250 * 2 ** (this.quickExits - 2));
      this.options.log(
        `${this.options.name} ${child.pid} exited (${signal ?? `code ${code}`}); restarting${delay ? ` in ${delay} ms` : ''}`,
      );
      this.timer = setTimeout(() => this.start(), delay);
    });
    this.options.started(child);
  }

  /** Stops restarting; signals the child and resolves once it exited (SIGKILL after `graceMs`). */
  stop(signal: NodeJS.Signals | undefined, graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const child = this.current;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      if (signal) child.kill(signal);
    });
  }
}
