/**
 * A fleet on real network hosts for failover tests and the failover bench: namespace hosts grouped
 * in regions, each running a region server, Slipway's router as the edge on 127.0.0.1, the failover
 * loop on the wall clock with readiness probed from the upstreams, and a watcher that polls the
 * edge's status every 50 ms so that when traffic stopped or came back can be read off it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startRouterDirector } from '../../src/platform/edge/router-director.js';
import type { RegionState, TrafficDirector } from '../../src/platform/traffic-director.js';
import type { FailoverError } from '../../src/rollout/fleet/failover-errors.js';
import {
  type FailoverLoop,
  type RecordedFailoverEvent,
  startFailoverLoop,
} from '../../src/rollout/fleet/failover-loop.js';
import type { FailoverPolicy } from '../../src/rollout/fleet/failover-types.js';
import { systemClock } from '../../src/rollout/rollout-clock.js';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from './namespace-hosts.js';
import { type RegionServers, startRegionServers, upstreamReadiness } from './region-servers.js';

/** One region of the fleet and its configured share (0..1). */
export interface FleetRegionSpec {
  readonly name: string;
  readonly share: number;
}

/** How to build the fleet. */
export interface FailoverFleetOptions {
  /** In wave order; shares add up to 1. */
  readonly regions: readonly FleetRegionSpec[];
  readonly hostsPerRegion: number;
  readonly policy: FailoverPolicy;
  /** The edge's upstream timeout: how long a request sent to a cut host hangs before its 504. */
  readonly upstreamTimeoutMs: number;
  /** How long a readiness probe waits for a connection. */
  readonly probeTimeoutMs: number;
}

/** One region as a status poll saw it. */
export interface EdgeRegionSample {
  readonly weight: number;
  readonly state: RegionState;
  readonly requests: number;
}

/** One poll of the edge's status. */
export interface EdgeSample {
  readonly at: number;
  readonly regions: Readonly<Record<string, EdgeRegionSample>>;
}

/** The running fleet. */
export interface FailoverFleet {
  readonly hosts: NamespaceHosts;
  readonly director: TrafficDirector;
  /** The edge's entry point, `http://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly loop: FailoverLoop;
  /** Events the loop recorded, with the wall time of recording. */
  readonly events: readonly (RecordedFailoverEvent & { readonly recordedAt: number })[];
  /** Failures the loop reported and carried on after. */
  readonly problems: readonly FailoverError[];
  /** Every status poll so far, oldest first. */
  readonly samples: readonly EdgeSample[];
  hostsOf(region: string): readonly NamespaceHost[];
  /** Sets the links of every host of `region` down (returns the time it was done)... */
  cut(region: string): number;
  /** ...or up again. */
  heal(region: string): number;
  /** The first poll at or after `from` for which `test` holds, waiting up to `timeoutMs` for it. */
  waitFor(
    test: (sample: EdgeSample) => boolean,
    from: number,
    timeoutMs: number,
  ): Promise<EdgeSample | undefined>;
  /** Stops the loop, the watcher, the edge, the servers and the hosts; safe to call twice, never throws. */
  close(): Promise<void>;
}

/** The weights of a poll, by region. */
export function weightsOf(sample: EdgeSample): Record<string, number> {
  return Object.fromEntries(Object.entries(sample.regions).map(([name, region]) => [name, region.weight]));
}

/** True when the poll shows `region` taking no new requests (out of service or at weight 0). */
export function isOut(sample: EdgeSample, region: string): boolean {
  const seen = sample.regions[region];
  return seen !== undefined && (seen.state !== 'ready' || seen.weight === 0);
}

/** Builds and starts the fleet; everything started is stopped again if a step fails. */
export async function startFailoverFleet(options: FailoverFleetOptions): Promise<FailoverFleet> {
  const { regions, hostsPerRegion, policy } = options;
  const stops: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch {
        // Cleanup goes on with the rest.
      }
    }
  };
  try {
    const hosts = await createNamespaceHosts(regions.length * hostsPerRegion);
    stops.push(() => hosts.cleanup());
    const byRegion = new Map(
      regions.map((region, r) => [
        region.name,
        hosts.hosts.slice(r * hostsPerRegion, (r + 1) * hostsPerRegion),
      ]),
    );
    const servers: RegionServers = await startRegionServers(
      regions.flatMap((region) =>
        (byRegion.get(region.name) ?? []).map((host) => ({ region: region.name, host })),
      ),
    );
    stops.push(() => servers.close());
    const director = await startRouterDirector({
      host: '127.0.0.1',
      upstreamTimeoutMs: options.upstreamTimeoutMs,
    });
    stops.push(() => director.close());
    await director.setBackends(
      regions.map((region) => ({ name: region.name, upstreams: servers.upstreams[region.name] ?? [] })),
    );
    const shares = Object.fromEntries(regions.map((region) => [region.name, region.share]));
    await director.setWeights(
      Object.fromEntries(regions.map((region) => [region.name, Math.round(region.share * 100)])),
    );
    const { port } = (await director.status()).entryPoint;

    const samples: EdgeSample[] = [];
    let watching = true;
    const poll = async (): Promise<void> => {
      const status = await director.status();
      const seen: Record<string, EdgeRegionSample> = {};
      for (const region of status.regions)
        seen[region.name] = {
          weight: region.weight,
          state: region.state,
          requests: region.counters?.requests ?? 0,
        };
      samples.push({ at: Date.now(), regions: seen });
    };
    await poll();
    const watcher = (async () => {
      while (watching) {
        await sleep(50);
        if (!watching) break;
        try {
          await poll();
        } catch {
          // The edge is closing.
        }
      }
    })();
    stops.push(async () => {
      watching = false;
      await watcher;
    });

    const events: (RecordedFailoverEvent & { readonly recordedAt: number })[] = [];
    const problems: FailoverError[] = [];
    const loop = startFailoverLoop({
      director,
      shares,
      policy,
      clock: systemClock(),
      readiness: upstreamReadiness(servers.upstreams, options.probeTimeoutMs),
      record: (event) => {
        events.push({ ...event, recordedAt: Date.now() });
      },
      report: (error) => {
        problems.push(error);
      },
    });
    stops.push(() => loop.stop());

    const hostsOf = (region: string): readonly NamespaceHost[] => byRegion.get(region) ?? [];
    return {
      hosts,
      director,
      url: `http://127.0.0.1:${port}/`,
      loop,
      events,
      problems,
      samples,
      hostsOf,
      cut: (region) => {
        for (const host of hostsOf(region)) hosts.setLinkDown(host);
        return Date.now();
      },
      heal: (region) => {
        for (const host of hostsOf(region)) hosts.setLinkUp(host);
        return Date.now();
      },
      waitFor: async (test, from, timeoutMs) => {
        const deadline = Date.now() + timeoutMs;
        for (let seen = 0; ; ) {
          for (; seen < samples.length; seen++) {
            const sample = samples[seen] as EdgeSample;
            if (sample.at >= from && test(sample)) return sample;
          }
          if (Date.now() > deadline) return undefined;
          await sleep(20);
        }
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
