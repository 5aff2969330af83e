// The haproxy.cfg of an edge, as text: one frontend on the entry point, one backend with one server
// per region upstream. Weights and states live in the file too, so that a reload (new regions or
// upstreams) starts from what the director applied; the runtime API changes them in between.
import type { EntryPoint } from '../traffic-director.js';
import { haproxyWeights, serverName } from './haproxy-weights.js';
import type { RegionModel } from './region-model.js';

/** The names the director's runtime commands address. */
export const FRONTEND = 'edge';
export const BACKEND = 'regions';

/** What the file says besides the regions. */
export interface HaproxyConfigInput {
  readonly entryPoint: EntryPoint;
  readonly model: RegionModel;
  /** Upstream idle time before 504, in ms. */
  readonly serverTimeoutMs: number;
}

/** `host:port` as HAProxy reads it: the last colon separates the port, so IPv6 needs no brackets. */
function hostPort(host: string, port: number): string {
  return `${host}:${port}`;
}

/**
 * The configuration text. A server of a region that is down is `disabled` (maintenance); one that
 * drains is also written `disabled`, and the director sets it to `drain` once the new worker runs,
 * so that it never gets load-balanced traffic in between.
 */
export function renderHaproxyConfig(input: HaproxyConfigInput): string {
  const weights = haproxyWeights(input.model);
  const servers = input.model.regions.flatMap((region) =>
    region.upstreams.map((upstream, i) => {
      const name = serverName(region.name, i);
      const disabled = region.state === 'ready' ? '' : ' disabled';
      return `  server ${name} ${hostPort(upstream.host, upstream.port)} weight ${weights.get(name) ?? 0}${disabled}`;
    }),
  );
  return [
    '# Written by Slipway (traffic director); changed at runtime through the master CLI.',
    'global',
    '  nbthread 2',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 60s',
    `  timeout server ${Math.max(1, Math.round(input.serverTimeoutMs))}ms`,
    '  timeout http-keep-alive 10s',
    `frontend ${FRONTEND}`,
    `  bind ${hostPort(input.entryPoint.host, input.entryPoint.port)}`,
    `  default_backend ${BACKEND}`,
    `backend ${BACKEND}`,
    // roundrobin is HAProxy's dynamic weighted algorithm: `set weight` takes effect at once.
    '  balance roundrobin',
    ...servers,
    '',
  ].join('\n');
}
