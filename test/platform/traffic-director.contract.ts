/**
 * The TrafficDirector contract suite: what every director of a fleet's edge (Slipway's router,
 * HAProxy, later a DNS or cloud load balancer) must do, checked with real HTTP traffic to real
 * upstream servers on 127.0.0.1, one per region upstream, each answering with its region's name.
 *
 * Tolerance of a split: the router picks each request's region at random, so the count a region
 * gets out of n requests is binomial(n, p); HAProxy's weighted round robin is deterministic and
 * far closer. A count within 5 standard deviations (plus 1 for rounding) of n * p fails a correct
 * director about once in 1.7 million checks, and still catches a wrong split: at n = 1000 a region
 * at 20 % must land within 200 +- 64, so a swap with a 30 % region (300) or an ignored weight fails.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type DirectorStatus,
  isTrafficDirectorError,
  type TrafficDirector,
  type TrafficDirectorErrorCode,
} from '../../src/platform/traffic-director.js';

/** What an implementation gives the suite. */
export interface DirectorHarness {
  readonly director: TrafficDirector;
  /** What the director left behind after close (processes, files), one line each; empty when nothing. */
  leftovers(): string[];
}

/** One node http server per upstream: `GET /` answers the region name, `/slow?ms=N` after N ms. */
async function startUpstream(region: string): Promise<{ server: Server; address: string }> {
  const server = createServer((req, res) => {
    const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0);
    const answer = () => res.end(region);
    if (ms > 0) setTimeout(answer, Math.min(ms, 5000));
    else answer();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** GET through the entry point: the status and the region that answered (never throws). */
async function hit(base: string, path = '/'): Promise<{ status: number; region: string }> {
  try {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, region: await res.text() };
  } catch (error) {
    return { status: 0, region: String((error as Error).cause ?? error) };
  }
}

/** Sends `count` requests, `concurrency` at a time; counts per region, and every failure. */
async function load(base: string, count: number, concurrency = 16) {
  const regions: Record<string, number> = {};
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const { status, region } = await hit(base);
      if (status === 200) regions[region] = (regions[region] ?? 0) + 1;
      else failures.push(`${status} ${region}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { regions, failures };
}

/** Fails unless each region's count is within 5 binomial standard deviations (+1) of its share. */
function assertSplit(counts: Record<string, number>, shares: Record<string, number>, n: number): void {
  for (const [region, share] of Object.entries(shares)) {
    const p = share / 100;
    const expected = n * p;
    const tolerance = 5 * Math.sqrt(n * p * (1 - p)) + 1;
    const got = counts[region] ?? 0;
    assert.ok(
      Math.abs(got - expected) <= tolerance,
      `${region}: ${got} of ${n}, expected ${expected} +- ${tolerance.toFixed(1)} (${JSON.stringify(counts)})`,
    );
  }
}

/** Status without counters: what a rejected call must leave unchanged. */
function shape(status: DirectorStatus) {
  return status.regions.map(({ name, upstreams, weight, state }) => ({ name, upstreams, weight, state }));
}

function rejectsWith(code: TrafficDirectorErrorCode) {
  return (error: unknown) => isTrafficDirectorError(error, code);
}

/** Registers the contract tests for one director; `skip` as node:test takes it (outside programs). */
export function trafficDirectorContract(
  name: string,
  makeHarness: () => Promise<DirectorHarness>,
  options: { readonly skip?: false | string } = {},
): void {
  describe(`TrafficDirector contract: ${name}`, { timeout: 120_000, skip: options.skip ?? false }, () => {
    let h: DirectorHarness;
    let base: string;
    const upstreams: Record<string, string[]> = { eu: [], us: [], ap: [], sa: [] };
    const servers: Server[] = [];

    before(async () => {
      for (const region of ['eu', 'eu', 'us', 'ap', 'sa']) {
        const upstream = await startUpstream(region);
        servers.push(upstream.server);
        upstreams[region]!.push(upstream.address);
      }
      h = await makeHarness();
      const { entryPoint } = await h.director.status();
      base = `http://${entryPoint.host}:${entryPoint.port}`;
    });
    after(async () => {
      await h?.director.close();
      for (const server of servers) {
        server.closeAllConnections();
        server.close();
      }
    });

    const backends = () => [
      { name: 'eu', upstreams: upstreams.eu! },
      { name: 'us', upstreams: upstreams.us! },
      { name: 'ap', upstreams: upstreams.ap! },
    ];

    test('splits 1,000 requests by the weights and counts them per region', async () => {
      await h.director.setBackends(backends());
      const fresh = await h.director.status();
      assert.deepEqual(
        shape(fresh).map((r) => [r.name, r.weight, r.state]),
        [
          ['eu', 0, 'ready'],
          ['us', 0, 'ready'],
          ['ap', 0, 'ready'],
        ],
      );
      await h.director.setWeights({ eu: 20, us: 30, ap: 50 });
      const { regions, failures } = await load(base, 1000);
      assert.deepEqual(failures, []);
      assertSplit(regions, { eu: 20, us: 30, ap: 50 }, 1000);
      // Counters are counted as requests end: give the last ones a moment.
      let status = await h.director.status();
      for (let i = 0; i < 40 && status.regions.some((r) => r.counters?.requests !== regions[r.name]); i++) {
        await sleep(50);
        status = await h.director.status();
      }
      for (const region of status.regions) {
        assert.ok(region.counters, `${name} counts requests`);
        assert.equal(region.counters.requests, regions[region.name] ?? 0, region.name);
        assert.equal(region.counters.serverErrors, 0);
        assert.equal(region.counters.connectionErrors, 0);
      }
    });

    test('a weight change takes effect at once and fails no request, in flight or new', async () => {
      await h.director.setWeights({ eu: 0, us: 0, ap: 100 });
      const slow = Array.from({ length: 10 }, () => hit(base, '/slow?ms=600'));
      await sleep(150); // the slow requests are now in flight to ap
      let stop = false;
      const seen: string[] = [];
      const steady = async () => {
        for (let i = 0; i < 1000 && !stop; i++) {
          const { status, region } = await hit(base);
          seen.push(status === 200 ? region : `failed ${status} ${region}`);
        }
      };
      const clients = Array.from({ length: 4 }, steady);
      const splits: Record<string, number>[] = [
        { eu: 50, us: 50, ap: 0 },
        { eu: 10, us: 10, ap: 80 },
        { us: 100 },
        { eu: 100 },
        { eu: 50, us: 50 },
      ];
      for (const weights of splits) {
        await sleep(40);
        await h.director.setWeights(weights);
      }
      await sleep(40);
      stop = true;
      await Promise.all(clients);
      assert.ok(seen.length >= 40, `requests during the changes: ${seen.length}`);
      assert.deepEqual(
        seen.filter((r) => r.startsWith('failed')),
        [],
      );
      assert.deepEqual(
        (await Promise.all(slow)).map((r) => `${r.status} ${r.region}`),
        Array(10).fill('200 ap'),
      );
      const afterwards = await load(base, 300);
      assert.deepEqual(afterwards.failures, []);
      assert.equal(afterwards.regions.ap ?? 0, 0, 'ap is at 0 now');
      assertSplit(afterwards.regions, { eu: 50, us: 50 }, 300);
    });

    test('a region taken out (drain, down) gets nothing; its share goes to the others; back, it gets it again', async () => {
      await h.director.setWeights({ eu: 40, us: 40, ap: 20 });
      const inFlight = hit(base, '/slow?ms=500');
      await h.director.setRegionState('us', 'drain');
      let run = await load(base, 600);
      assert.deepEqual(run.failures, []);
      assert.equal(run.regions.us ?? 0, 0, 'drained region');
      assertSplit(run.regions, { eu: 66.667, ap: 33.333 }, 600);

      await h.director.setRegionState('ap', 'down');
      run = await load(base, 200);
      assert.deepEqual(run.failures, []);
      assert.deepEqual(run.regions, { eu: 200 });
      const status = await h.director.status();
      assert.deepEqual(
        shape(status).map((r) => [r.name, r.weight, r.state]),
        [
          ['eu', 40, 'ready'],
          ['us', 40, 'drain'],
          ['ap', 20, 'down'],
        ],
      );
      assert.equal((await inFlight).status, 200, 'the request in flight finished');

      await h.director.setRegionState('us', 'ready');
      await h.director.setRegionState('ap', 'ready');
      run = await load(base, 1000);
      assert.deepEqual(run.failures, []);
      assertSplit(run.regions, { eu: 40, us: 40, ap: 20 }, 1000);
    });

    test('bad input is a typed error and changes nothing', async () => {
      const before = shape(await h.director.status());
      const bad: [Promise<void>, TrafficDirectorErrorCode][] = [
        [h.director.setWeights({ mars: 100 }), 'unknown_region'],
        [h.director.setWeights({ eu: 60, us: 30 }), 'invalid_weights'],
        [h.director.setWeights({ eu: -10, us: 110 }), 'invalid_weights'],
        [h.director.setWeights({ eu: 50.5, us: 49.5 }), 'invalid_weights'],
        [h.director.setRegionState('mars', 'down'), 'unknown_region'],
        [h.director.setRegionState('eu', 'gone' as 'down'), 'invalid_options'],
        [h.director.setBackends([{ name: 'eu', upstreams: ['no-port'] }]), 'invalid_backends'],
        [h.director.setBackends([{ name: 'EU!', upstreams: upstreams.eu! }]), 'invalid_backends'],
        [
          h.director.setBackends([...backends(), { name: 'eu', upstreams: upstreams.sa! }]),
          'invalid_backends',
        ],
        [h.director.setBackends([{ name: 'eu', upstreams: [] }]), 'invalid_backends'],
        [h.director.setBackends(backends().slice(0, 2)), 'region_has_traffic'],
      ];
      for (const [call, code] of bad) await assert.rejects(call, rejectsWith(code), code);
      assert.deepEqual(shape(await h.director.status()), before);
      const run = await load(base, 400);
      assert.deepEqual(run.failures, []);
      assertSplit(run.regions, { eu: 40, us: 40, ap: 20 }, 400);
    });

    test('new backends: a new region joins at 0, the others keep weight and state, traffic goes on', async () => {
      await h.director.setRegionState('ap', 'drain');
      await h.director.setBackends([...backends(), { name: 'sa', upstreams: upstreams.sa! }]);
      assert.deepEqual(
        shape(await h.director.status()).map((r) => [r.name, r.weight, r.state]),
        [
          ['eu', 40, 'ready'],
          ['us', 40, 'ready'],
          ['ap', 20, 'drain'],
          ['sa', 0, 'ready'],
        ],
      );
      let run = await load(base, 200);
      assert.deepEqual(run.failures, []);
      assert.equal((run.regions.ap ?? 0) + (run.regions.sa ?? 0), 0);
      await h.director.setWeights({ eu: 40, us: 40, sa: 20 });
      await h.director.setBackends([
        ...backends().filter((r) => r.name !== 'ap'),
        { name: 'sa', upstreams: upstreams.sa! },
      ]);
      run = await load(base, 1000);
      assert.deepEqual(run.failures, []);
      assertSplit(run.regions, { eu: 40, us: 40, sa: 20 }, 1000);
    });

    test('close releases the entry point and everything the director started', async () => {
      const { entryPoint } = await h.director.status();
      await h.director.close();
      await h.director.close();
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(entryPoint.port, entryPoint.host);
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      assert.ok(refused, 'the entry port no longer accepts connections');
      assert.deepEqual(h.leftovers(), []);
      await assert.rejects(h.director.setWeights({ eu: 100 }), rejectsWith('closed'));
    });
  });
}
