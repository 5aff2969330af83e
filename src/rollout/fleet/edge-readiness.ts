/**
 * The readiness the edge's failover loop reads: per region, how many of its upstreams accept a TCP
 * connection within a short time. A host whose router stopped or that fell off the network counts
 * as not ready, so a region without traffic is still judged.
 */
import { connect } from 'node:net';
import type { RegionBackend } from '../../platform/traffic-director.js';
import type { RegionReadiness } from './failover-loop.js';

/** `host` and `port` of `host:port` or `[v6]:port`. */
function splitUpstream(upstream: string): { host: string; port: number } {
  const at = upstream.lastIndexOf(':');
  return { host: upstream.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(upstream.slice(at + 1)) };
}

/** True when a TCP connection to `upstream` opens within `timeoutMs`. */
export function accepts(upstream: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(splitUpstream(upstream));
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The loop's readiness source for `backends`: every upstream probed at once on each call. */
export function upstreamReadiness(
  backends: readonly RegionBackend[],
  timeoutMs: number,
): () => Promise<Record<string, RegionReadiness>> {
  return async () => {
    const entries = await Promise.all(
      backends.map(async (backend) => {
        const ok = await Promise.all(backend.upstreams.map((upstream) => accepts(upstream, timeoutMs)));
        return [
          backend.name,
          { ready: ok.filter(Boolean).length, desired: backend.upstreams.length },
        ] as const;
      }),
    );
    return Object.fromEntries(entries);
  };
}
