// Per flag variant counters make every hop from the router process to the platform: router process
// → supervisor (IPC) → agent → control API (JSON over its socket) → AgentApi → LocalPlatform.metrics,
// and they reach the agent's Prometheus text. Uses the built CLI to start the agent.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fixtureService, get, localPlatform } from '../platform/helpers.js';

// Answers every request but /healthz naming flag variants; /fail answers 503 naming exp=b only.
const SERVER = `import { createServer } from 'node:http';
const server = createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  const fail = req.url === '/fail';
  res.writeHead(fail ? 503 : 200, { 'x-slipway-flag-variants': fail ? 'exp=b' : 'exp=a, theme=dark' });
  res.end('x');
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

describe('flag variants through the agent', { timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-variants-'));
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', 'server.mjs'), SERVER);
  const { platform, close } = localPlatform(join(dir, '.slipway'));
  after(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  test("platform.metrics() and the agent's /metrics carry the router's per variant counters", async () => {
    const ref = { service: 'web', env: 'flags' };
    const revision = await platform.createRevision({
      service: fixtureService({ instances: 1 }),
      baseDir: dir,
    });
    const { url } = await platform.ensureService(ref, {});
    await platform.scale(ref, revision.id, 1);
    assert.equal((await platform.waitReady(ref, revision.id, 1, 20_000)).status, 'ready');
    await platform.setTraffic(ref, { weights: { [revision.id]: 100 } });

    for (let i = 0; i < 4; i++) {
      const reply = await get(`${url}/`);
      assert.equal(reply.status, 200, reply.body);
      assert.equal(reply.headers.get('x-slipway-flag-variants'), null, 'the router does not pass it on');
    }
    for (let i = 0; i < 2; i++) assert.equal((await get(`${url}/fail`)).status, 503);

    const metrics = await platform.metrics(ref);
    assert.equal(metrics.revisions[revision.id]?.requests, 6);
    const variants = metrics.variants ?? {};
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(variants).map(([pair, m]) => [pair, [m.requests, m.status5xx, m.latency.count]]),
      ),
      { 'exp=a': [4, 0, 4], 'theme=dark': [4, 0, 4], 'exp=b': [2, 2, 2] },
    );
    const latency = variants['exp=a']!.latency;
    assert.equal(latency.counts.length, latency.bounds.length + 1, 'the histogram arrives whole');

    const text = await platform.client.call<string>('GET', '/metrics');
    assert.match(
      text,
      /^slipway_router_flag_variant_requests_total\{service="web",env="flags",flag="exp",variant="a"\} 4$/m,
    );
    assert.match(
      text,
      /^slipway_router_flag_variant_responses_5xx_total\{service="web",env="flags",flag="exp",variant="b"\} 2$/m,
    );
  });
});
