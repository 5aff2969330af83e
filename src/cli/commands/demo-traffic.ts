/** Steady keep-alive traffic for the demo: counts responses and remembers when bad ones began and ended. */
import { Agent, request } from 'node:http';

/** What the traffic saw. */
export interface TrafficStats {
  requests: number;
  failed: number;
  firstBadAt?: number;
  lastBadAt?: number;
}

/** Sends GET / from `clients` loops until stopped (bounded by `maxMs`). */
export function steadyTraffic(
  url: string,
  clients = 4,
  maxMs = 10 * 60_000,
): { stats: TrafficStats; stop: () => Promise<TrafficStats> } {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const stats: TrafficStats = { requests: 0, failed: 0 };
  let running = true;
  const bad = () => {
    stats.failed++;
    stats.firstBadAt ??= Date.now();
    stats.lastBadAt = Date.now();
  };
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request({ host: hostname, port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          stats.requests++;
          if (res.statusCode !== 200) bad();
          resolve();
        });
        res.on('error', () => {
          stats.requests++;
          bad();
          resolve();
        });
      });
      req.on('error', () => {
        stats.requests++;
        bad();
        resolve();
      });
      req.setTimeout(10_000, () => req.destroy());
      req.end();
    });
  const deadline = Date.now() + maxMs;
  const loops = Array.from({ length: clients }, async () => {
    while (running && Date.now() < deadline) {
      await once();
      await new Promise((r) => setTimeout(r, 5));
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
