// What a traffic director should apply, as pure data: regions with their parsed upstreams, shares
// and states. Every director checks a change here first and applies the result only when it is
// valid, so that a rejected call changes nothing and both implementations reject the same input.
import { type RegionBackend, type RegionState, TrafficDirectorError } from '../traffic-director.js';

/** One upstream address, parsed. */
export interface UpstreamAddress {
  /** As given, e.g. `127.0.0.1:8080` or `[::1]:8080`. */
  readonly address: string;
  /** Without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
}

/** One region as a director should apply it. */
export interface ModelRegion {
  readonly name: string;
  readonly upstreams: readonly UpstreamAddress[];
  readonly weight: number;
  readonly state: RegionState;
}

/** Every region, in the order of the last setBackends. */
export interface RegionModel {
  readonly regions: readonly ModelRegion[];
}

/** No regions: nothing takes traffic. */
export const EMPTY_MODEL: RegionModel = Object.freeze({ regions: Object.freeze([]) });

const REGION_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
const STATES: readonly RegionState[] = ['ready', 'drain', 'down'];

/** Parses `host:port`; undefined when it is not one. */
export function parseUpstream(text: unknown): UpstreamAddress | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (!(port >= 1 && port <= 65535)) return undefined;
  if (match[1] !== undefined ? !IPV6.test(host) || !host.includes(':') : !HOST_NAME.test(host)) {
    return undefined;
  }
  return { address: text, host, port };
}

/** The regions of `model` after a setBackends of `backends`; throws TrafficDirectorError. */
export function withBackends(model: RegionModel, backends: readonly RegionBackend[]): RegionModel {
  if (!Array.isArray(backends))
    throw new TrafficDirectorError('invalid_backends', 'regions must be an array');
  const problems: string[] = [];
  const names = new Set<string>();
  const regions = backends.map((backend, r): ModelRegion => {
    const at = `regions[${r}]`;
    const name: unknown = backend?.name;
    if (typeof name !== 'string' || !REGION_NAME.test(name)) {
      problems.push(
        `${at}.name must be lower-case letters, digits and dashes (at most 63), got ${JSON.stringify(name)}`,
      );
    } else if (names.has(name)) problems.push(`${at}.name "${name}" is used twice`);
    else names.add(name);
    const given: unknown = backend?.upstreams;
    const upstreams: UpstreamAddress[] = [];
    if (!Array.isArray(given) || given.length === 0) {
      problems.push(`${at}.upstreams must be a non-empty array of host:port`);
    } else {
      const seen = new Set<string>();
      given.forEach((text: unknown, u: number) => {
        const upstream = parseUpstream(text);
        if (upstream === undefined)
          problems.push(`${at}.upstreams[${u}] must be host:port, got ${JSON.stringify(text)}`);
        else if (seen.has(upstream.address))
          problems.push(`${at}.upstreams[${u}] "${upstream.address}" is listed twice`);
        else {
          seen.add(upstream.address);
          upstreams.push(upstream);
        }
      });
    }
    const before = model.regions.find((region) => region.name === name);
    return {
      name: String(name),
      upstreams,
      weight: before?.weight ?? 0,
      state: before?.state ?? 'ready',
    };
  });
  if (problems.length > 0) {
    throw new TrafficDirectorError('invalid_backends', `invalid regions: ${problems.join('; ')}`);
  }
  const dropped = model.regions.filter((region) => region.weight > 0 && !names.has(region.name));
  if (dropped.length > 0) {
    const list = dropped.map((region) => `${region.name} (${region.weight})`).join(', ');
    throw new TrafficDirectorError(
      'region_has_traffic',
      `cannot remove regions that still have a weight: ${list}; set their weight to 0 first`,
    );
  }
  return { regions };
}

/** The regions of `model` after a setWeights of `weights`; throws TrafficDirectorError. */
export function withWeights(model: RegionModel, weights: Readonly<Record<string, number>>): RegionModel {
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) {
    throw new TrafficDirectorError('invalid_weights', 'weights must be an object of region: share');
  }
  const entries = Object.entries(weights);
  const unknown = entries.filter(([name]) => !model.regions.some((region) => region.name === name));
  if (unknown.length > 0) {
    const list = unknown.map(([name]) => JSON.stringify(name)).join(', ');
    throw new TrafficDirectorError('unknown_region', `no such region: ${list}`);
  }
  const bad = entries.filter(([, share]) => !(Number.isInteger(share) && share >= 0 && share <= 100));
  if (bad.length > 0) {
    const list = bad.map(([name, share]) => `${name}=${String(share)}`).join(', ');
    throw new TrafficDirectorError('invalid_weights', `shares must be whole numbers from 0 to 100: ${list}`);
  }
  const total = entries.reduce((sum, [, share]) => sum + share, 0);
  if (total !== 100) {
    throw new TrafficDirectorError('invalid_weights', `shares must add up to 100, they add up to ${total}`);
  }
  const shares = new Map(entries);
  return { regions: model.regions.map((region) => ({ ...region, weight: shares.get(region.name) ?? 0 })) };
}

/** The regions of `model` with `name` in `state`; throws TrafficDirectorError. */
export function withState(model: RegionModel, name: string, state: RegionState): RegionModel {
  if (!STATES.includes(state)) {
    throw new TrafficDirectorError(
      'invalid_options',
      `state must be ready, drain or down, got ${String(state)}`,
    );
  }
  if (!model.regions.some((region) => region.name === name)) {
    throw new TrafficDirectorError('unknown_region', `no such region: ${JSON.stringify(name)}`);
  }
  return { regions: model.regions.map((region) => (region.name === name ? { ...region, state } : region)) };
}
