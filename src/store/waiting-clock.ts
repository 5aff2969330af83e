/** A Clock that can also wait, and the wall clock: what rollouts' holds and the outbox worker's polls wait on. */
import type { Clock } from './store.js';

/** A Clock that can also wait; a fake one makes every wait through it instant. */
export interface WaitingClock extends Clock {
  /** Resolves once `ms` of this clock's time have passed, or as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock, waiting on real timers. */
export function wallClock(): WaitingClock {
  return {
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        signal?.addEventListener('abort', done, { once: true });
      }),
  };
}
