/**
 * Steady keep-alive load for data-plane tests: clients loop GET with no pause, and the load counts
 * failures, the requests in flight at a given moment, and the longest stretch without a success.
 */
import { Agent, request } from 'node:http';

/** What the load saw. */
export interface LoadStats {
  ok: number;
  failed: number;
  errors: string[];
  /** The longest time between two successful responses (or from the start to the first). */
  maxGapMs: number;
}

/** Starts `clients` loops of GET `url`; each stops by `maxMs` at the latest. */
export function startLoad(url: string, clients = 4, maxMs = 60_000) {
  const { hostname, port, pathname } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const stats: LoadStats = { ok: 0, failed: 0, errors: [], maxGapMs: 0 };
  let inFlight = 0;
  let lastOk = Date.now();
  let running = true;
  const deadline = Date.now() + maxMs;
  const once = () =>
    new Promise<void>((resolve) => {
      inFlight++;
      const done = (error?: string) => {
        inFlight--;
        if (error) {
          stats.failed++;
          if (stats.errors.length < 10) stats.errors.push(error);
        } else {
          stats.ok++;
          const now = Date.now();
          stats.maxGapMs = Math.max(stats.maxGapMs, now - lastOk);
          lastOk = now;
        }
        resolve();
      };
      const req = request({ host: hostname, port, path: pathname, agent }, (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode === 200 ? undefined : `status ${res.statusCode}`));
        res.on('error', (error) => done(error.message));
      });
      req.on('error', (error) => done(error.message));
      req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
      req.end();
    });
  const loops = Array.from({ length: clients }, async () => {
    while (running && Date.now() < deadline) await once();
  });
  return {
    stats,
    /** Requests sent and not yet answered, now. */
    inFlight: () => inFlight,
    stop: async (): Promise<LoadStats> => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      stats.maxGapMs = Math.max(stats.maxGapMs, Date.now() - lastOk);
      return stats;
    },
  };
}
