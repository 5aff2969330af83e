/** The time a rollout reads and waits on: the store's Clock plus sleep, so one injected clock drives holds, polls and heartbeats. */
import type { Clock } from '../store/store.js';

/** A Clock that can also wait; every wait in the rollout domain goes through it, so a fake one makes them instant. */
export interface RolloutClock extends Clock {
  /** Resolves once `ms` of this clock's time have passed, or as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock, waiting on real timers. */
export function systemClock(): RolloutClock {
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
