// The security steps on a fake clock: a failure before traffic rolls back with nothing moved, a
// failure after promotion brings back a stable revision already scaled to zero, a pass completes.
// The checks go to a real loopback server (`checks.security.url`) standing in for the endpoint.
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import {
  type ControllerHarness,
  controllerHarness,
  INSTANCES,
  step,
} from '../../../test/rollout/controller-harness.js';
import { routesHandler, startServer, type TestServer } from '../../../test/rollout/security-servers.js';
import type { ResolvedChecks } from '../../config/resolved.js';
import type { ResolvedSecurityChecks } from '../../config/resolved-security-checks.js';
import type { ServiceRef } from '../../platform/platform.js';
import type { RolloutEvent } from './controller-types.js';
import { RolloutController } from './rollout-controller.js';

const SECURE = { 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'self'" };

describe('RolloutController: security checks', { timeout: 20_000 }, () => {
  let h: ControllerHarness;
  let S: string;
  let N: string;
  let leaking: TestServer;
  let clean: TestServer;
  beforeEach(async () => {
    h = await controllerHarness();
    S = h.stable.id;
    N = h.next.id;
  });
  afterEach(() => h.close());
  const started = Promise.all([
    startServer(routesHandler({ '/': {}, '/.git/config': { body: '[core]\n' } }, SECURE)),
    startServer(routesHandler({ '/': {} }, SECURE)),
  ]).then(([a, b]) => {
    leaking = a;
    clean = b;
  });
  after(async () => {
    await started;
    await leaking.close();
    await clean.close();
  });

  const checks = (url: string): ResolvedChecks => {
    const security: ResolvedSecurityChecks = {
      url,
      path: '/',
      headers: { hsts: 'https', contentTypeOptions: true, csp: true, serverVersion: false },
      forbiddenPaths: ['/.git/config', '/.env'],
      sourceMaps: true,
      tls: { minVersion: 'TLSv1.2', expiryDays: 14 },
    };
    return { smoke: [], warmup: [], synthetic: [], security, timeoutMs: 5_000 };
  };
  const measurements = async (id: number) =>
    ((await h.store.getRollout(id))?.data.measurements ?? []) as { metric: string; verdict: string }[];

  test('a leak found before traffic rolls back with no weight ever on the new revision', async () => {
    await started;
    const rollout = await h.begin(
      [
        step('scaleUp', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 1 }),
        step('securityCheck', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 1 }),
        step('promote', { [S]: 0, [N]: 100 }, { [S]: INSTANCES, [N]: INSTANCES }),
      ],
      { checks: checks(leaking.url) },
    );

    const outcome = await h.drive(rollout.id);

    const reason =
      'security check before traffic failed: GET /.git/config answered 200: a forbidden path is served (forbiddenPaths)';
    assert.deepEqual(outcome, { status: 'rolled_back', reason });
    assert.deepEqual(await h.weights(), { [S]: 100 });
    assert.deepEqual(await h.desired(), { [S]: INSTANCES });
    assert.ok(
      h.events.every((e) => e.type !== 'rollout.step' || (e.weights[N] ?? 0) === 0),
      'the new revision never had weight',
    );
    const measured = h.events.filter((e) => e.type === 'analysis.measurement');
    assert.equal(measured.length, 1);
    assert.deepEqual(
      measured.map((e) => e.type === 'analysis.measurement' && [e.metric, e.verdict, e.step]),
      [['security', 'failure', 1]],
    );
    assert.deepEqual(
      (await measurements(rollout.id)).map((m) => [m.metric, m.verdict]),
      [['security', 'failure']],
    );
    assert.equal((await h.store.getRollout(rollout.id))?.reason, reason);
    assert.deepEqual(await h.storedEvents(rollout.id), [
      'rollout.progressed',
      'service.rolledback',
      'rollout.aborted',
    ]);
    assert.ok(leaking.seen.some((r) => r.path === '/.git/config' && r.revision === N));
  });

  test('a leak found after promotion brings the stable revision back from zero instances', async () => {
    await started;
    const rollout = await h.begin(
      [
        step('scaleUp', { [S]: 50, [N]: 50 }, { [S]: INSTANCES, [N]: INSTANCES }),
        step('promote', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
        step('securityVerify', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
      ],
      { strategy: 'rolling', checks: checks(leaking.url) },
    );
    // What happened in order: the steps reported and the platform's scale calls.
    const log: string[] = [];
    const deps = h.deps();
    const platform = new Proxy(deps.platform, {
      get(target, key, receiver) {
        if (key === 'scale')
          return (ref: ServiceRef, id: string, n: number) => {
            log.push(`scale ${id === S ? 'stable' : 'new'} ${n}`);
            return target.scale(ref, id, n);
          };
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const report = (event: RolloutEvent) => {
      if (event.type === 'rollout.step') log.push(`step ${event.action}`);
      deps.report(event);
    };
    const result = await h.run(new RolloutController({ ...deps, platform, report }).drive(rollout.id));

    assert.equal(result.status, 'rolled_back');
    assert.match(
      result.status === 'rolled_back' ? (result.reason ?? '') : '',
      /^security check after promotion failed: GET \/\.git\/config answered 200/,
    );
    assert.deepEqual(log, [
      'step scaleUp',
      `scale new ${INSTANCES}`,
      'step promote',
      'scale stable 0',
      'step securityVerify',
      `scale stable ${INSTANCES}`,
      'scale new 0',
    ]);
    assert.deepEqual(await h.weights(), { [S]: 100 });
    assert.deepEqual(await h.desired(), { [S]: INSTANCES });
    const ready = (await h.platform.status(h.ref))?.revisions.find((r) => r.id === S)?.ready ?? 0;
    assert.ok(ready >= 1, `stable ready: ${ready}`);
    assert.ok(h.events.some((e) => e.type === 'rollout.rollback'));
  });

  test('a revision that passes completes, with its security measurement stored', async () => {
    await started;
    const rollout = await h.begin(
      [
        step('scaleUp', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: INSTANCES }),
        step('securityCheck', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: INSTANCES }),
        step('promote', { [S]: 0, [N]: 100 }, { [S]: INSTANCES, [N]: INSTANCES }),
        step('securityVerify', { [S]: 0, [N]: 100 }, { [S]: INSTANCES, [N]: INSTANCES }),
        step('scaleDown', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
      ],
      { checks: checks(clean.url) },
    );

    assert.deepEqual(await h.drive(rollout.id), { status: 'completed' });
    assert.deepEqual(await h.weights(), { [N]: 100 });
    const verdicts = h.events.flatMap((e) =>
      e.type === 'analysis.measurement'
        ? [
            [
              e.metric,
              e.verdict,
              e.step,
              e.message.startsWith(
                `security checks ${e.step === 1 ? 'before traffic' : 'after promotion'} at`,
              ),
            ],
          ]
        : [],
    );
    assert.deepEqual(verdicts, [
      ['security', 'success', 1, true],
      ['security', 'success', 3, true],
    ]);
    assert.deepEqual(
      (await measurements(rollout.id)).map((m) => [m.metric, m.verdict]),
      [['security', 'success']],
    );
  });
});
