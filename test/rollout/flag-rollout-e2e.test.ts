/**
 * A flag rollout against real processes, through the CLI under steady load: a service reads the
 * flag over OFREP from its agent with the OpenFeature server SDK and names the variant it served
 * with @slipway/openfeature-hook, so the router counts each variant. `slipway deploy` of an
 * environment whose strategy is `featureFlag` gives the new variant 20% of users; the new checkout
 * fails every request, and the share is back at 0 within a second of the first bad response.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { ndjson, steadyLoad, type TestProject, testProject, urlOf } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FLAG_APP = resolve(import.meta.dirname, 'fixtures', 'flag-app');

const config = (strategy: string) => `version: 1
flags:
  ofrep: { port: 0 }
  flags:
    new-checkout: { state: ENABLED, variants: { on: true, off: false }, defaultVariant: off }
services:
  web:
    run: node server.mjs
    source: app
    instances: 2
    env: { REPO: ${JSON.stringify(ROOT)} }
    health:
      readiness: { http: /healthz, period: 200ms, timeout: 300ms }
    shutdown: { drain: 1s, timeout: 3s }
environments:
  prod:
    strategy:
${strategy}
    analysis: { interval: 1s, minRequests: 20 }
`;

const ROLLING = `      rolling: { maxSurge: 100% }`;
const FLAG = `      featureFlag:
        provider: slipway
        flag: new-checkout
        variant: on
        stages: [{ traffic: 20, duration: 20s }, { traffic: 50, duration: 20s }]
        metrics: [error_rate]
        autoRollback: true`;

describe('flag rollout under load', { timeout: 180_000 }, () => {
  const projects: TestProject[] = [];
  after(async () => {
    for (const p of projects) await p.cleanup();
  });

  test('a variant failing every request is set back to 0% within 1 s of its first bad response; deploy exits 1', async (t) => {
    const project = testProject(config(ROLLING), FLAG_APP);
    projects.push(project);
    const first = project.cli('deploy', 'web', '--env', 'prod');
    assert.equal(first.status, 0, first.stderr + first.stdout);
    const url = urlOf(first.stdout);
    assert.equal(await (await fetch(`${url}/checkout`)).text(), 'old checkout\n');

    project.write(config(FLAG));
    const plan = project.cli('plan', 'web', '--env', 'prod');
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(
      plan.stdout,
      /^web in prod: r-[0-9a-f]{12} already serves all traffic; then flag new-checkout \(slipway\): on against the default variant, 20% \(hold 20s with analysis\), 50% \(hold 20s with analysis\), 100%$/m,
    );
    const load = steadyLoad(`${url}/checkout`);
    await new Promise((r) => setTimeout(r, 300));
    const deploy = await project.run('--json', 'deploy', 'web', '--env', 'prod');
    const seen = await load.stop();

    assert.equal(deploy.status, 1, deploy.stderr + deploy.stdout);
    const events = ndjson(deploy.stdout);
    assert.equal(
      events.find((e) => e.type === 'rollout.finished'),
      undefined,
      'the revision was unchanged',
    );
    const steps = events.filter((e) => e.type === 'flagrollout.step').map((e) => e.percent);
    assert.deepEqual(steps, [20], 'never went past the first stage');
    const rollback = events.find((e) => e.type === 'flagrollout.rollback');
    assert.match(String(rollback?.reason), /error_rate 100% > \d/);
    const finished = events.find((e) => e.type === 'flagrollout.finished');
    assert.equal(finished?.status, 'rolled_back');

    assert.ok(seen.failed > 0 && seen.firstBadAt !== undefined, 'the load met the new checkout');
    const restoredAt = Date.parse(String(rollback?.time));
    const restoredIn = restoredAt - seen.firstBadAt;
    t.diagnostic(
      `share back at 0% ${restoredIn} ms after the first bad response (${seen.failed} bad of ${seen.requests})`,
    );
    assert.ok(restoredIn < 1000, `share back at 0% ${restoredIn} ms after the first bad response`);
    assert.ok((seen.lastBadAt ?? 0) - seen.firstBadAt < 1000, 'bad responses stopped within a second');
    // Every user has the old checkout again, and the flag's history says who did what.
    for (let i = 0; i < 20; i++) assert.equal((await fetch(`${url}/checkout?user=u${i}`)).status, 200);
    const history = project.cli('--json', 'flags', 'history', 'new-checkout');
    assert.equal(history.status, 0, history.stderr);
    assert.match(history.stdout, /rollout-rollback/);
  });
});
