/**
 * Steady keep-alive traffic on a URL, for watching a rollout from the outside: the demo, the
 * benches and the tests count every response and remember when bad ones began and ended.
 */
import { Agent, request } from 'node:http';
import type { RolloutClock } from './rollout-clock.js';

/** What the traffic saw; times are epoch ms. */
export interface TrafficStats {
  requests: number;
  ok: number;
  failed: number;
  statuses: Record<number, number>;
  /** The first few failures, as text. */
  errors: string[];
  firstBadAt?: number;
  lastBadAt?: number;
}

/** How much traffic, timed by which clock. */
export interface TrafficOptions {
  /** Stamps bad responses and paces the clients. */
  readonly clock: RolloutClock;
  /** Concurrent keep-alive clients (default 4). */
  readonly clients?: number;
  /** Pause between one client's requests (default 2 ms). */
  readonly pauseMs?: number;
  /** Stops on its own after this long (default 10 min). */
  readonly maxMs?: number;
}

/** Sends GET `url` from each client in a loop until `stop` is called; any status but 200 is a failure. */
export function steadyTraffic(
  url: string,
  options: TrafficOptions,
): { stats: TrafficStats; stop: () => Promise<TrafficStats> } {
  const { hostname, port, pathname, search } = new URL(url);
  const { clock } = options;
  const clients = options.clients ?? 4;
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const stats: TrafficStats = { requests: 0, ok: 0, failed: 0, statuses: {}, errors: [] };
  let running = true;
  const bad = (what: string) => {
    stats.failed++;
    stats.firstBadAt ??= clock.now();
    stats.lastBadAt = clock.now();
    if (stats.errors.length < 10) stats.errors.push(what);
  };
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request({ host: hostname, port, path: `${pathname}${search}`, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          stats.requests++;
          const status = res.statusCode ?? 0;
          stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
          if (status === 200) stats.ok++;
          else bad(`status ${status}`);
          resolve();
        });
        res.on('error', (error) => {
          stats.requests++;
          bad(error.message);
          resolve();
        });
      });
      req.on('error', (error) => {
        stats.requests++;
        bad(error.message);
        resolve();
      });
      req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
      req.end();
    });
  const deadline = clock.now() + (options.maxMs ?? 10 * 60_000);
  const pauseMs = options.pauseMs ?? 2;
  const loops = Array.from({ length: clients }, async () => {
    while (running && clock.now() < deadline) {
      await once();
      await clock.sleep(pauseMs);
    }
  });
  return {
    stats,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return stats;
    },
  };
}
