/** The time a rollout reads and waits on: the store's Clock plus sleep, so one injected clock drives holds, polls and heartbeats. */
import { type WaitingClock, wallClock } from '../store/waiting-clock.js';

/** A Clock that can also wait; every wait in the rollout domain goes through it, so a fake one makes them instant. */
export type RolloutClock = WaitingClock;

/** The wall clock, waiting on real timers. */
export function systemClock(): RolloutClock {
  return wallClock();
}
