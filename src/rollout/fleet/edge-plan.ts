/**
 * What an environment's edge serves, worked out from the resolved config alone: one backend per
 * region of the environment's fleet (its hosts at the environment's port, where each host's router
 * serves the service), the configured shares and the whole-number weights they start at. Pure, so
 * the mapping is tested as data; `edge-service.ts` starts the director with it.
 */
import { isIP } from 'node:net';
import type { ResolvedConfig, ResolvedFailover } from '../../config/resolved.js';
import type { RegionBackend } from '../../platform/traffic-director.js';
import { EdgeError } from './edge-errors.js';
import { sharesOf } from './failover-policy.js';
import { largestRemainder } from './share-weights.js';

/** The edge of one service in one environment, before anything runs. */
export interface EdgePlan {
  readonly service: string;
  readonly env: string;
  /** The port each host serves the service on. */
  readonly port: number;
  /** One per region, in wave order. */
  readonly backends: readonly RegionBackend[];
  /** Configured share (0..1) of each region, in wave order. */
  readonly shares: Readonly<Record<string, number>>;
  /** The shares as whole percents summing to 100, what the director starts with. */
  readonly weights: Readonly<Record<string, number>>;
  readonly failover: ResolvedFailover;
}

/** A director's region name: a DNS label. */
const REGION_LABEL = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** `host:port`, with an IPv6 address in brackets. */
export function upstreamOf(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Plans the edge of `service` in `env`; an EdgeError says what in the config does not allow one. */
export function planEdge(config: ResolvedConfig, service: string, env: string): EdgePlan {
  const environment = config.environments[env];
  if (environment === undefined) {
    const known = Object.keys(config.environments);
    throw new EdgeError(
      'unknown_environment',
      `no environment '${env}' in slipway.yaml (${known.length > 0 ? `known: ${known.join(', ')}` : 'it declares none'})`,
    );
  }
  if (config.services[service] === undefined) {
    const known = Object.keys(config.services);
    throw new EdgeError(
      'unknown_service',
      `no service '${service}' in slipway.yaml (${known.length > 0 ? `known: ${known.join(', ')}` : 'it declares none'})`,
    );
  }
  const fleet = environment.fleet;
  if (fleet === undefined || fleet.waves.length === 0) {
    throw new EdgeError(
      'no_fleet',
      `environment '${env}' has no hosts in regions: an edge splits traffic between regions (declare hosts: and regions:)`,
    );
  }
  const port = environment.port;
  if (port === undefined) {
    throw new EdgeError(
      'no_port',
      `environment '${env}' sets no port: the edge needs the port each host serves the service on (set environments.${env}.port)`,
    );
  }
  const backends: RegionBackend[] = [];
  for (const wave of fleet.waves) {
    if (!REGION_LABEL.test(wave.region)) {
      throw new EdgeError(
        'invalid_region',
        `region '${wave.region}' cannot be served by an edge: its name must be lower-case letters, digits and dashes`,
      );
    }
    const upstreams = (fleet.regions[wave.region] ?? []).flatMap((name) => {
      const host = config.hosts?.[name];
      return host === undefined ? [] : [upstreamOf(host.address.host, port)];
    });
    if (upstreams.length === 0) {
      throw new EdgeError('no_fleet', `region '${wave.region}' of environment '${env}' has no hosts`);
    }
    backends.push({ name: wave.region, upstreams: [...new Set(upstreams)] });
  }
  const shares = sharesOf(fleet);
  const weights = largestRemainder(shares);
  if (weights === undefined) {
    throw new EdgeError('no_fleet', `no region of environment '${env}' has a traffic share above 0%`);
  }
  return { service, env, port, backends, shares, weights, failover: fleet.failover };
}
