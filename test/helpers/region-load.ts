/**
 * Bounded keep-alive load on an edge whose regions answer `<region> <host>`: a few clients loop
 * GET, each request kept with when it started and ended and which region served it (from the body,
 * or from the edge's `x-slipway-revision` header when the edge answered itself), so a test can ask
 * where traffic went and what failed in any span of time.
 */
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request as the client saw it; times are Date.now() milliseconds. */
export interface LoadRecord {
  readonly start: number;
  readonly end: number;
  /** The region that served it (body) or that the edge routed it to (header); undefined when unknown. */
  readonly region: string | undefined;
  readonly host: string | undefined;
  readonly ok: boolean;
  /** `status 504`, `client timeout`, ... for a failure. */
  readonly error?: string;
}

/** How much load, for how long. */
export interface RegionLoadOptions {
  readonly clients: number;
  /** Pause of each client between two requests, so the edge and the loop in this process keep time. */
  readonly pauseMs: number;
  /** The load stops after this many requests... */
  readonly maxRequests: number;
  /** ...or this long, whichever comes first. */
  readonly maxMs: number;
  /** A request with no answer by then is a failure. */
  readonly requestTimeoutMs: number;
}

/** The running load. */
export interface RegionLoad {
  /** Every request ended so far, in the order they ended. */
  readonly records: readonly LoadRecord[];
  /** Stops the clients and waits for the requests in flight to end. */
  stop(): Promise<readonly LoadRecord[]>;
}

/** Starts the clients on `url`. */
export function startRegionLoad(url: string, options: RegionLoadOptions): RegionLoad {
  const { hostname, port, pathname } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const records: LoadRecord[] = [];
  const deadline = Date.now() + options.maxMs;
  let sent = 0;
  let running = true;
  const once = () =>
    new Promise<void>((resolve) => {
      const start = Date.now();
      let settled = false;
      const done = (fields: Omit<LoadRecord, 'start' | 'end'>) => {
        if (settled) return;
        settled = true;
        records.push({ start, end: Date.now(), ...fields });
        resolve();
      };
      const req = request({ host: hostname, port, path: pathname, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          const [region, host] = body.trim().split(' ');
          const routed = res.headers['x-slipway-revision'];
          if (res.statusCode === 200) done({ region, host, ok: true });
          else
            done({
              region: typeof routed === 'string' ? routed : undefined,
              host: undefined,
              ok: false,
              error: `status ${res.statusCode}`,
            });
        });
        res.on('error', (error) =>
          done({ region: undefined, host: undefined, ok: false, error: error.message }),
        );
      });
      req.on('error', (error) =>
        done({ region: undefined, host: undefined, ok: false, error: error.message }),
      );
      req.setTimeout(options.requestTimeoutMs, () => req.destroy(new Error('client timeout')));
      req.end();
    });
  const loops = Array.from({ length: options.clients }, async () => {
    while (running && sent < options.maxRequests && Date.now() < deadline) {
      sent++;
      await once();
      if (options.pauseMs > 0) await sleep(options.pauseMs);
    }
  });
  return {
    records,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return records;
    },
  };
}

/** Requests that started in [from, to). */
export function startedBetween(records: readonly LoadRecord[], from: number, to: number): LoadRecord[] {
  return records.filter((record) => record.start >= from && record.start < to);
}
