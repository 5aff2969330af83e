// A fixed-rate load on the edge: request i leaves at start + i/rps over a keep-alive agent, bounded
// in count, in time and in requests in flight; each request is kept with when it started and how it
// ended (a non-2xx answer, a connection error, a timeout or a request dropped at the bound fail).
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request as the client saw it (Date.now() milliseconds). */
export interface LoadRequest {
  readonly start: number;
  readonly ok: boolean;
  /** `status 502`, `ECONNREFUSED`, `client timeout`, ...; the served version's `version` for a success. */
  readonly detail: string;
}

/** The running load. */
export interface FixedRateLoad {
  readonly records: readonly LoadRequest[];
  stop(): Promise<readonly LoadRequest[]>;
}

const MAX_IN_FLIGHT = 256;
const REQUEST_TIMEOUT_MS = 5000;

/** Starts `rps` GETs a second on `url` for at most `maxMs`. */
export function startFixedRateLoad(url: string, rps: number, maxMs: number): FixedRateLoad {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const records: LoadRequest[] = [];
  const interval = 1000 / rps;
  const total = Math.ceil((rps * maxMs) / 1000);
  const pending = new Set<Promise<void>>();
  let running = true;
  const once = (start: number) =>
    new Promise<void>((resolve) => {
      let settled = false;
      const done = (ok: boolean, detail: string) => {
        if (settled) return;
        settled = true;
        records.push({ start, ok, detail });
        resolve();
      };
      const req = request(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 512) body += chunk;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) done(true, /hello (\S+)!/.exec(body)?.[1] ?? '');
          else done(false, `status ${status}`);
        });
        res.on('error', (error) => done(false, error.message));
      });
      req.on('error', (error) => done(false, (error as NodeJS.ErrnoException).code ?? error.message));
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('client timeout')));
      req.end();
    });
  const loop = (async () => {
    const t0 = Date.now();
    for (let sent = 0; running && sent < total; ) {
      const due = Math.min(total, Math.floor((Date.now() - t0) / interval) + 1);
      for (; sent < due; sent++) {
        if (pending.size >= MAX_IN_FLIGHT) {
          records.push({ start: Date.now(), ok: false, detail: 'dropped: too many in flight' });
          continue;
        }
        const p = once(Date.now());
        pending.add(p);
        void p.then(() => pending.delete(p));
      }
      await sleep(Math.max(1, t0 + sent * interval - Date.now()));
    }
  })();
  return {
    records,
    stop: async () => {
      running = false;
      await loop;
      await Promise.all(pending);
      agent.destroy();
      return records;
    },
  };
}
