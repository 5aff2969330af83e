// Per flag variant metrics end to end: a service in its own process evaluates flags with the real
// OpenFeature server SDK and OFREP provider against Slipway's OFREP server (fractional targeting),
// names the variants with @slipway/openfeature-hook, and the real router counts each response under
// them. The router's counts must match what the service evaluated, 5xx included.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FlagEngine } from '../../src/flags/flag-engine.js';
import { createOfrepServer } from '../../src/flags/ofrep-listener.js';
import { FLAG_VARIANTS_HEADER } from '../../src/platform/traffic-metrics.js';
import { diffSnapshots } from '../../src/router/metrics.js';
import { renderPrometheus } from '../../src/router/prometheus.js';
import type { Router } from '../../src/router/router.js';
import { guardProcess, listen, send, startRouter } from './helpers/harness.js';

guardProcess();

const SERVICE = join(import.meta.dirname, 'fixtures', 'flag-service.mjs');
const REQUESTS = 160;
const PARALLEL = 8;

const engine = new FlagEngine({
  version: 1,
  document: {
    flags: {
      'new-checkout': {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: { fractional: [{ var: 'targetingKey' }, ['on', 50], ['off', 50]] },
      },
      theme: {
        state: 'ENABLED',
        variants: { dark: 'dark', light: 'light' },
        defaultVariant: 'light',
        targeting: {
          fractional: [
            ['dark', 30],
            ['light', 70],
          ],
        },
      },
    },
  },
});

/** Starts the service; resolves its port once it prints it (within 15 s). */
function startService(ofrepUrl: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [SERVICE], {
    env: { ...process.env, OFREP_URL: ofrepUrl },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the service did not start in 15 s: ${err}`)), 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-2000);
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /\{"port":(\d+)\}/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code}: ${err}`));
    });
  });
}

interface Tally {
  requests: number;
  status5xx: number;
}

describe('router: per flag variant metrics from an OpenFeature service', { timeout: 60_000 }, () => {
  const ofrep = createOfrepServer(() => engine);
  let service: ChildProcess | undefined;
  let router: Router;
  let routerPort = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: PARALLEL });

  before(async () => {
    const ofrepPort = await listen(ofrep);
    const started = await startService(`http://127.0.0.1:${ofrepPort}`);
    service = started.child;
    ({ router, port: routerPort } = await startRouter());
    router.setTable({
      sticky: false,
      revisions: [
        {
          id: 'r-1',
          role: 'stable',
          weight: 100,
          instances: [{ id: 'svc', host: '127.0.0.1', port: started.port, ready: true }],
        },
      ],
    });
  });

  after(async () => {
    agent.destroy();
    await router?.close();
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service!.once('exit', resolve));
      service.stdin!.end();
      service.kill('SIGTERM');
      await exited;
    }
    ofrep.closeAllConnections();
    await new Promise((resolve) => ofrep.close(resolve));
  });

  test('counts each response under the variants the service evaluated, 5xx only where they happened', async () => {
    // One request before the window: the diff must leave it out.
    const warm = await send(routerPort, { path: '/home?user=warm-up', agent });
    assert.equal(warm.status, 200);
    const baseline = router.metrics();

    const expected = new Map<string, Tally>();
    const count = (pair: string, failed: boolean): void => {
      const tally = expected.get(pair) ?? { requests: 0, status5xx: 0 };
      tally.requests++;
      if (failed) tally.status5xx++;
      expected.set(pair, tally);
    };
    let checkoutFailures = 0;
    for (let from = 0; from < REQUESTS; from += PARALLEL) {
      const batch = Array.from({ length: Math.min(PARALLEL, REQUESTS - from) }, (_, k) => {
        const i = from + k;
        const path = `${i % 2 === 0 ? '/checkout' : '/home'}?user=user-${i}`;
        return send(routerPort, { path, agent });
      });
      for (const reply of await Promise.all(batch)) {
        assert.ok(reply.status === 200 || reply.status === 500, `status ${reply.status}: ${reply.text}`);
        assert.equal(
          reply.headers[FLAG_VARIANTS_HEADER],
          undefined,
          'the router does not pass the header on',
        );
        const evaluated = JSON.parse(reply.text) as Record<string, string | null>;
        const failed = reply.status === 500;
        if (failed) {
          assert.equal(evaluated['new-checkout'], 'on', 'only new-checkout=on fails');
          checkoutFailures++;
        }
        for (const [flag, variant] of Object.entries(evaluated)) {
          assert.ok(variant, `the service evaluated ${flag} with a variant`);
          count(`${flag}=${variant}`, failed);
        }
      }
    }
    assert.ok(checkoutFailures > 0, 'some checkouts got new-checkout=on');
    for (const pair of ['new-checkout=on', 'new-checkout=off', 'theme=dark', 'theme=light']) {
      assert.ok((expected.get(pair)?.requests ?? 0) > 0, `fractional targeting served ${pair}`);
    }

    const window = diffSnapshots(router.metrics(), baseline);
    assert.equal(window.revisions['r-1']?.requests, REQUESTS);
    assert.equal(window.revisions['r-1']?.status5xx, checkoutFailures);
    const counted = Object.fromEntries(
      Object.entries(window.variants ?? {}).map(([pair, m]) => [
        pair,
        { requests: m.requests, status5xx: m.status5xx },
      ]),
    );
    assert.deepEqual(counted, Object.fromEntries(expected));
    assert.equal(window.variants?.['new-checkout=off']?.status5xx, 0);
    assert.equal(window.variants?.['new-checkout=on']?.status5xx, checkoutFailures);
    for (const [pair, metrics] of Object.entries(window.variants ?? {})) {
      assert.equal(metrics.connectionErrors, 0, pair);
      assert.equal(metrics.latency.count, metrics.requests, `every ${pair} response was timed`);
    }

    const text = renderPrometheus([{ labels: { service: 'shop', env: 'prod' }, snapshot: window }]);
    assert.match(
      text,
      new RegExp(
        `^slipway_router_flag_variant_responses_5xx_total\\{service="shop",env="prod",flag="new-checkout",variant="on"\\} ${checkoutFailures}$`,
        'm',
      ),
    );
  });
});
