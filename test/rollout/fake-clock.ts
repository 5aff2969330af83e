// A RolloutClock for unit tests: time moves only when the test moves it, and sleepers wake in deadline order.
import type { RolloutClock } from '../../src/rollout/rollout-clock.js';

interface Sleeper {
  readonly at: number;
  readonly seq: number;
  readonly wake: () => void;
}

/** How `FakeClock.run` moves time. */
export interface RunOptions {
  /** Most clock time the work may take (default one hour). */
  readonly limitMs?: number;
  /** False while the work waits on real I/O; default always idle. */
  readonly idle?: () => boolean;
}

/** Event-loop turns pending work gets before the clock concludes that everything waits on it. */
const SETTLE_TURNS = 2;

/** A clock that never waits for real: `advance` and `run` move its time and wake its sleepers. */
export class FakeClock implements RolloutClock {
  #now: number;
  #seq = 0;
  #sleepers: Sleeper[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        resolve();
      };
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  /** How many sleepers wait for the clock. */
  get pending(): number {
    return this.#sleepers.length;
  }

  /** Moves time forward by `ms`, waking every sleeper that falls due on the way, earliest first. */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      await settle();
      const next = this.#earliest();
      if (!next || next.at > until) break;
      this.#wake(next);
    }
    this.#now = until;
    await settle();
  }

  /**
   * Awaits `work`, jumping to the next sleeper's deadline whenever everything waits on the clock,
   * so that holds, polls and heartbeats take no real time. `idle` says whether the work also waits
   * on nothing real (I/O the clock cannot see); time stands still until it does. Rejects when
   * `work` still runs after `limitMs` of clock time (a rollout nobody ends would spin forever).
   */
  async run<T>(work: Promise<T>, options: RunOptions = {}): Promise<T> {
    const { limitMs = 3_600_000, idle = () => true } = options;
    let settled = false;
    const watched = work.finally(() => {
      settled = true;
    });
    // The outcome is read below; this only keeps an early rejection from being reported as unhandled.
    watched.catch(() => {});
    const limit = this.#now + limitMs;
    for (;;) {
      await settle();
      if (settled) return watched;
      const next = this.#earliest();
      if (!next || !idle()) {
        // The work waits on something real, so it gets real time and the clock stands still.
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      if (next.at > limit) throw new Error(`still running after ${limitMs} ms of clock time`);
      this.#wake(next);
    }
  }

  #earliest(): Sleeper | undefined {
    let first: Sleeper | undefined;
    for (const s of this.#sleepers)
      if (!first || s.at < first.at || (s.at === first.at && s.seq < first.seq)) first = s;
    return first;
  }

  #wake(sleeper: Sleeper): void {
    this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
    this.#now = Math.max(this.#now, sleeper.at);
    sleeper.wake();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < SETTLE_TURNS; i++) await new Promise((resolve) => setImmediate(resolve));
}
