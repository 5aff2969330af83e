/**
 * The Platform contract suite: what any platform (local today, Kubernetes later) must do.
 * It uses only the contract and HTTP requests to the endpoint a platform reports.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ResolvedService } from '../../src/config/resolved.js';
import type { Platform, ServiceRef } from '../../src/platform/platform.js';
import { get, sleep } from './helpers.js';

/** What a platform implementation gives the suite. */
export interface ContractHarness {
  readonly platform: Platform;
  /** The directory service sources are relative to. */
  readonly baseDir: string;
  /** A service of the fixture app with these overrides. */
  service(overrides?: Partial<ResolvedService>): ResolvedService;
  /**
   * Holds a port where the platform's services listen, for the port-clash test; default a server
   * on this machine's 127.0.0.1 (a remote platform holds one on its host).
   */
  occupyPort?(): Promise<{ readonly port: number; release(): Promise<void> }>;
  /**
   * Where this machine's PostgreSQL, Redis and RabbitMQ are as the platform's instances see them;
   * undefined when they cannot reach them (a host of its own, whose loopback is not this one).
   */
  readonly localServices?: string | undefined;
  /** The address of this machine as the platform's instances reach it; default 127.0.0.1. */
  readonly thisMachine?: string | undefined;
  close(): Promise<void>;
}

/** A port held on this machine's loopback. */
async function occupyLocalPort(): Promise<{ readonly port: number; release(): Promise<void> }> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  return {
    port: (blocker.address() as AddressInfo).port,
    release: () => new Promise<void>((resolve) => blocker.close(() => resolve())),
  };
}

/** Registers the contract tests for one platform. */
export function platformContract(name: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`Platform contract: ${name}`, { timeout: 180_000 }, () => {
    let h: ContractHarness;
    before(async () => {
      h = await makeHarness();
    });
    after(async () => {
      await h?.close();
    });

    const deploy = async (ref: ServiceRef, service: ResolvedService, port?: number) => {
      const revision = await h.platform.createRevision({ service, baseDir: h.baseDir });
      const status = await h.platform.ensureService(ref, port === undefined ? {} : { port });
      await h.platform.scale(ref, revision.id, service.instances);
      const ready = await h.platform.waitReady(ref, revision.id, service.instances, 20_000);
      assert.equal(ready.status, 'ready', JSON.stringify(ready));
      return { revision, url: status.url as string };
    };

    test('a revision is content-addressed: same source and config, same id; config or source change, new id', async () => {
      const a = await h.platform.createRevision({ service: h.service(), baseDir: h.baseDir });
      const b = await h.platform.createRevision({ service: h.service(), baseDir: h.baseDir });
      assert.equal(a.id, b.id);
      assert.match(a.id, /^r-[0-9a-f]{12}$/);
      const c = await h.platform.createRevision({
        service: h.service({ env: { VERSION: 'v2' } }),
        baseDir: h.baseDir,
      });
      assert.notEqual(c.id, a.id);
      const d = await h.platform.createRevision({ service: h.service({ instances: 3 }), baseDir: h.baseDir });
      assert.notEqual(d.id, a.id);
      assert.equal(d.instances, 3);
    });

    test('a pinned revision stays, past newer revisions, and says why; an unknown one is not found', async () => {
      const revision = await h.platform.createRevision({
        service: h.service({ env: { VERSION: 'pinned' } }),
        baseDir: h.baseDir,
      });
      assert.deepEqual(await h.platform.findRevision('web', revision.id), revision);
      await h.platform.pinRevision('web', revision.id, 'release v1.2.0');
      // More newer revisions than a platform would sensibly keep unpinned.
      for (let i = 0; i < 12; i++) {
        await h.platform.createRevision({
          service: h.service({ env: { VERSION: `after-pin-${i}` } }),
          baseDir: h.baseDir,
        });
      }
      assert.deepEqual(await h.platform.findRevision('web', revision.id), {
        ...revision,
        pinned: 'release v1.2.0',
      });
      assert.equal(await h.platform.findRevision('web', 'r-000000000000'), undefined);
      assert.equal(await h.platform.findRevision('nope', revision.id), undefined);
      await assert.rejects(
        h.platform.pinRevision('web', 'r-000000000000', 'release v9'),
        (error: Error & { code?: string }) => error.code === 'REVISION_NOT_FOUND',
      );
    });

    test('deploys a revision, serves it at the endpoint, and reports revisions and instances', async () => {
      const ref = { service: 'web', env: 'c-basic' };
      const { revision, url } = await deploy(ref, h.service());
      assert.ok(url, 'endpoint URL');
      await h.platform.setTraffic(ref, { weights: { [revision.id]: 100 }, roles: { stable: revision.id } });
      const res = await get(`${url}/`);
      assert.equal(res.status, 200);
      assert.match(res.body, /^hello v1/);
      assert.equal(res.headers.get('x-slipway-revision'), revision.id);
      const status = await h.platform.status(ref);
      assert.ok(status);
      assert.deepEqual(
        status.revisions.map((r) => [r.id, r.weight, r.desired, r.ready, r.role]),
        [[revision.id, 100, 2, 2, 'stable']],
      );
      assert.equal(status.instances.length, 2);
      assert.ok(status.instances.every((i) => i.ready && i.phase === 'running'));
      assert.ok((await h.platform.list()).some((s) => s.service === 'web' && s.env === 'c-basic'));
      await h.platform.remove(ref);
      assert.equal(await h.platform.status(ref), undefined);
    });

    test('splits traffic by weight, and the revision header reaches a revision at weight 0', async () => {
      const ref = { service: 'web', env: 'c-weights' };
      const v1 = await deploy(ref, h.service({ instances: 1 }));
      const v2 = await deploy(ref, h.service({ instances: 1, env: { VERSION: 'v2' } }));
      await h.platform.setTraffic(ref, {
        weights: { [v1.revision.id]: 100, [v2.revision.id]: 0 },
        roles: { stable: v1.revision.id, canary: v2.revision.id },
      });
      for (let i = 0; i < 20; i++) assert.match((await get(`${v1.url}/`)).body, /^hello v1/);
      assert.match((await get(`${v1.url}/`, { 'x-slipway-revision': 'canary' })).body, /^hello v2/);
      assert.match((await get(`${v1.url}/`, { 'x-slipway-revision': v2.revision.id })).body, /^hello v2/);
      await h.platform.setTraffic(ref, { weights: { [v1.revision.id]: 50, [v2.revision.id]: 50 } });
      const seen = { v1: 0, v2: 0 };
      for (let i = 0; i < 200; i++) {
        const body = (await get(`${v1.url}/`)).body;
        if (body.startsWith('hello v1')) seen.v1++;
        else if (body.startsWith('hello v2')) seen.v2++;
      }
      assert.equal(seen.v1 + seen.v2, 200);
      assert.ok(seen.v1 > 60 && seen.v2 > 60, JSON.stringify(seen));
      const metrics = await h.platform.metrics(ref);
      const v2Metrics = metrics.revisions[v2.revision.id];
      assert.ok(v2Metrics && v2Metrics.requests >= 60, 'per-revision request counts');
      assert.equal(v2Metrics.status5xx, 0);
      await assert.rejects(
        h.platform.setTraffic(ref, { weights: { [v1.revision.id]: 70, [v2.revision.id]: 20 } }),
        /add up to 100/,
      );
      await assert.rejects(
        h.platform.setTraffic(ref, { weights: { 'r-000000000000': 100 } }),
        /does not run revision/,
      );
      await h.platform.remove(ref);
    });

    test('scaling down drains: a request in flight on a removed instance completes', async () => {
      const ref = { service: 'web', env: 'c-drain' };
      const { revision, url } = await deploy(ref, h.service({ instances: 1 }));
      await h.platform.setTraffic(ref, { weights: { [revision.id]: 100 } });
      const slow = get(`${url}/slow?ms=800`);
      await sleep(150);
      await h.platform.scale(ref, revision.id, 0);
      const res = await slow;
      assert.equal(res.status, 200);
      assert.match(res.body, /^slow v1/);
      await h.platform.remove(ref);
    });

    test('a command that exits at once fails waitReady with its reason and shows a crash loop', async () => {
      const ref = { service: 'web', env: 'c-exit' };
      const service = h.service({ instances: 1, env: { MODE: 'exit' } });
      const revision = await h.platform.createRevision({ service, baseDir: h.baseDir });
      await h.platform.ensureService(ref, {});
      await h.platform.scale(ref, revision.id, 1);
      const ready = await h.platform.waitReady(ref, revision.id, 1, 20_000);
      assert.equal(ready.status, 'failed');
      assert.match(ready.status === 'failed' ? ready.message : '', /exited with code 3.*MODE=exit/);
      const status = await h.platform.status(ref);
      const instance = status?.instances[0];
      assert.ok(instance && instance.restarts >= 3 && !instance.ready);
      assert.equal(instance.phase, 'crash-loop');
      await h.platform.remove(ref);
    });

    test('an instance that never becomes ready times out with the readiness reason and gets no traffic', async () => {
      const ref = { service: 'web', env: 'c-unready' };
      const good = await deploy(ref, h.service({ instances: 1 }));
      await h.platform.setTraffic(ref, { weights: { [good.revision.id]: 100 } });
      for (const mode of ['unready', 'hang']) {
        const service = h.service({ instances: 1, env: { MODE: mode } });
        const revision = await h.platform.createRevision({ service, baseDir: h.baseDir });
        await h.platform.scale(ref, revision.id, 1);
        const ready = await h.platform.waitReady(ref, revision.id, 1, 1500);
        assert.equal(ready.status, 'timeout');
        assert.match(ready.status === 'timeout' ? ready.message : '', mode === 'hang' ? /timed out/ : /503/);
        assert.match((await get(`${good.url}/`)).body, /^hello v1/);
        await h.platform.scale(ref, revision.id, 0);
      }
      await h.platform.remove(ref);
    });

    test('a failing liveness probe restarts the instance', async () => {
      const ref = { service: 'web', env: 'c-liveness' };
      const service = h.service({
        instances: 1,
        env: { MODE: 'die-later', LIVE_MS: '600' },
        readiness: {
          kind: 'tcp',
          initialDelayMs: 0,
          periodMs: 200,
          timeoutMs: 300,
          successThreshold: 1,
          failureThreshold: 2,
        },
        liveness: {
          kind: 'http',
          path: '/healthz',
          initialDelayMs: 0,
          periodMs: 200,
          timeoutMs: 300,
          successThreshold: 1,
          failureThreshold: 2,
        },
      });
      await deploy(ref, service);
      const deadline = Date.now() + 10_000;
      let restarts = 0;
      while (Date.now() < deadline && restarts === 0) {
        restarts = (await h.platform.status(ref))?.instances[0]?.restarts ?? 0;
        await sleep(100);
      }
      assert.ok(restarts >= 1, 'restarted after liveness failed');
      const status = await h.platform.status(ref);
      assert.match(status?.instances[0]?.message ?? '', /liveness/);
      await h.platform.remove(ref);
    });

    test('health reports probes with latency and dependency checks', async () => {
      const ref = { service: 'web', env: 'c-health' };
      const at = h.localServices;
      // An HTTP peer on this machine, on every interface: a dependency the instances can always reach.
      const peer = createHttpServer((_req, res) => res.end('ok\n'));
      await new Promise<void>((resolve) => peer.listen(0, '0.0.0.0', resolve));
      const peerUrl = `http://${h.thisMachine ?? '127.0.0.1'}:${(peer.address() as AddressInfo).port}/`;
      after(() => peer.close());
      const reachable = [
        { name: 'peer', kind: 'http' as const, url: peerUrl, timeoutMs: 2000 },
        ...(at === undefined
          ? []
          : [
              {
                name: 'database',
                kind: 'postgres' as const,
                url: `postgres://postgres@${at}:5432/test`,
                timeoutMs: 3000,
              },
              { name: 'cache', kind: 'redis' as const, url: `redis://${at}:6379`, timeoutMs: 2000 },
              {
                name: 'queue',
                kind: 'rabbitmq' as const,
                url: `amqp://guest:guest@${at}:5672`,
                timeoutMs: 3000,
              },
            ]),
      ];
      const service = h.service({
        instances: 1,
        dependencies: [
          ...reachable,
          { name: 'payments', kind: 'http', url: 'http://127.0.0.1:1/health', timeoutMs: 1000 },
        ],
      });
      await deploy(ref, service);
      const report = await h.platform.health(ref);
      assert.equal(report.instances.length, 1);
      const readiness = report.instances[0]?.probes.find((p) => p.kind === 'readiness');
      assert.equal(readiness?.status, 'passing');
      assert.equal(typeof readiness?.latencyMs, 'number');
      const byName = Object.fromEntries(report.dependencies.map((d) => [d.name, d]));
      for (const d of reachable) assert.equal(byName[d.name]?.ok, true, byName[d.name]?.message);
      assert.equal(byName.payments?.ok, false);
      assert.equal(report.healthy, false, 'an unreachable dependency makes the service unhealthy');
      await h.platform.remove(ref);
    });

    test('a port already taken is reported in status, not fatal', async () => {
      const blocker = await (h.occupyPort ?? occupyLocalPort)();
      const { port } = blocker;
      try {
        const status = await h.platform.ensureService({ service: 'web', env: 'c-port' }, { port });
        assert.match(status.error ?? '', new RegExp(`port ${port} is already in use`));
        assert.equal(status.url, undefined);
        const ref = { service: 'web', env: 'c-port-b' };
        const first = await deploy(ref, h.service({ instances: 1 }));
        const taken = Number(new URL(first.url).port);
        await assert.rejects(
          h.platform.ensureService({ service: 'other', env: 'c-port-c' }, { port: taken }),
          /already used by web/,
        );
        await h.platform.remove(ref);
        await h.platform.remove({ service: 'web', env: 'c-port' });
      } finally {
        await blocker.release();
      }
    });
  });
}
