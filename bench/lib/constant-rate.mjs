// Open-model HTTP load generator shared by the API benches: requests leave at scheduled times
// (request i at start + i/rps) over a bounded keep-alive agent, and latency counts from the
// scheduled time, so a stalled server cannot hide its queue (coordinated omission). Any non-2xx,
// timeout, connection error or request dropped at the in-flight bound is an error.
import { request } from 'node:http';

export const MAX_IN_FLIGHT = 1000;
export const REQUEST_TIMEOUT_MS = 5000;
const DRAIN_MS = REQUEST_TIMEOUT_MS + 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request over the shared keep-alive agent; resolves with the status (0: connection error or timeout). */
export function get(agent, url, token) {
  return new Promise((resolve) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** The value at quantile `q` of sorted `values`. */
export function quantile(values, q) {
  if (values.length === 0) return 0;
  return values[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)];
}

/**
 * Sends `rps` requests per second for `seconds` at fixed times (request i at start + i/rps),
 * picking targets round-robin by weight; waits at most DRAIN_MS for the last answers.
 */
export async function constantRate(agent, targets, token, rps, seconds) {
  const total = Math.round(rps * seconds);
  const interval = 1000 / rps;
  const wheel = targets.flatMap((t) => Array.from({ length: t.weight }, () => t));
  // A dropped or unanswered request counts as at least the timeout, never as fast.
  const latencies = new Float64Array(total).fill(REQUEST_TIMEOUT_MS);
  const routes = new Map(targets.map((t) => [t.name, { latencies: [], errors: 0 }]));
  const lags = new Float64Array(total);
  let sent = 0;
  let done = 0;
  let inFlight = 0;
  let errors = 0;
  let dropped = 0;
  const statuses = {};
  const start = performance.now();
  let finishedAt = start;
  let allDone;
  const finished = new Promise((resolve) => {
    allDone = resolve;
  });
  const settle = () => {
    done++;
    if (done === total) allDone();
  };
  while (sent < total) {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    for (; sent < due; sent++) {
      const target = wheel[sent % wheel.length];
      const route = routes.get(target.name);
      if (inFlight >= MAX_IN_FLIGHT) {
        dropped++;
        errors++;
        route.errors++;
        settle();
        continue;
      }
      const scheduled = start + sent * interval;
      // How late this process itself sends (a busy host delays the generator too).
      lags[sent] = performance.now() - scheduled;
      const index = sent;
      inFlight++;
      void get(agent, target.url, token).then((status) => {
        const latency = performance.now() - scheduled;
        inFlight--;
        latencies[index] = latency;
        route.latencies.push(latency);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status < 200 || status > 299) {
          errors++;
          route.errors++;
        }
        finishedAt = performance.now();
        settle();
      });
    }
    await sleep(1);
  }
  const sentAt = performance.now();
  let timer;
  await Promise.race([finished, new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_MS)))]);
  clearTimeout(timer);
  const unanswered = total - done;
  errors += unanswered;
  const sorted = Float64Array.from(latencies.subarray(0)).sort();
  return {
    total,
    errors,
    dropped,
    unanswered,
    statuses,
    elapsedMs: Math.max(finishedAt, sentAt) - start,
    sorted,
    lags: lags.sort(),
    routes,
  };
}
