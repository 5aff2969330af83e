// Live updates for the current view: event listeners and timers that end with it, and debouncing.

const listeners = new Set();

/** Hands one event of the stream to the current view's listeners. */
export function publish(event) {
  for (const listener of listeners) listener(event);
}

/** Calls `fn` at most once per `ms`, at the end of a burst (events come in bursts). */
export function debounce(fn, ms = 120) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

/** The current view's cleanup: event listener and timers. */
let cleanup = [];
export function stopView() {
  for (const fn of cleanup) fn();
  cleanup = [];
}
export function onEvent(listener) {
  listeners.add(listener);
  cleanup.push(() => listeners.delete(listener));
}
/** Runs `fn` when the current view ends (charts to destroy, say). */
export function onStop(fn) {
  cleanup.push(fn);
}
export function every(ms, fn) {
  const timer = setInterval(fn, ms);
  cleanup.push(() => clearInterval(timer));
}
