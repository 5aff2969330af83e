// `slipway plan` as users run it: the steps of a deploy from what runs now, changing nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfigText } from '../../src/config/load-config.js';
import { LocalPlatform } from '../../src/platform/local/local-platform.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'slipway.js');
const CONFIG = `services:
  web:
    run: node server.mjs
    source: app
    instances: 3
    health:
      readiness: { http: /healthz, period: 200ms }
environments:
  production:
    strategy:
      canary:
        stages:
          - { traffic: 10, duration: 1m }
          - { traffic: 50 }
          - { traffic: 100 }
    hooks: { preDeploy: "true" }
  staging: {}
`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-plan-'));
  cpSync(join(ROOT, 'test', 'platform', 'fixtures', 'app'), join(dir, 'app'), { recursive: true });
  writeFileSync(join(dir, 'slipway.yaml'), CONFIG);
  return dir;
}

function slipway(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

interface PlanJson {
  service: string;
  env: string;
  strategy: string;
  steps: { action: string; weights: Record<string, number>; instances: Record<string, number> }[];
}

describe('slipway plan', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  test('first deploy: full size, then all traffic; nothing written and no agent started', async () => {
    const dir = project();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));
    const { code, stdout, stderr } = await slipway(['plan', 'web', '--env', 'production', '--json'], dir);
    assert.equal(code, 0, stderr);
    const plan = JSON.parse(stdout) as PlanJson;
    assert.deepEqual(Object.keys(plan), ['service', 'env', 'strategy', 'steps']);
    const next = Object.keys(plan.steps[0]!.instances)[0]!;
    assert.match(next, /^r-[0-9a-f]{12}$/);
    assert.deepEqual(plan, {
      service: 'web',
      env: 'production',
      strategy: 'canary',
      steps: [
        { action: 'preDeploy', weights: { [next]: 0 }, instances: { [next]: 0 } },
        { action: 'scaleUp', weights: { [next]: 0 }, instances: { [next]: 3 } },
        { action: 'promote', weights: { [next]: 100 }, instances: { [next]: 3 } },
      ],
    });
    assert.equal(existsSync(join(dir, '.slipway', 'revisions')), false, 'no revision written');
    assert.equal(existsSync(join(dir, '.slipway', 'agent', 'agent.sock')), false, 'no agent started');

    const human = await slipway(['plan', 'web', '--env', 'staging'], dir);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      new RegExp(`web to staging: rolling, first deploy of ${next} \\(3 instance\\(s\\)\\)`),
    );
    assert.match(human.stdout, new RegExp(`1\\. +scaleUp +weights ${next} 0% +instances ${next} 3`));
    assert.match(human.stdout, new RegExp(`2\\. +promote +weights ${next} 100% +instances ${next} 3`));
  });

  test('unknown service or environment, or no --env: exit 2 with a clear message', async () => {
    const dir = project();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));
    const service = await slipway(['plan', 'api', '--env', 'production'], dir);
    assert.equal(service.code, 2);
    assert.match(service.stderr, /no service 'api' in the config \(services: web\)/);
    const env = await slipway(['plan', 'web', '--env', 'prod'], dir);
    assert.equal(env.code, 2);
    assert.match(env.stderr, /no environment 'prod' in the config \(environments: production, staging\)/);
    const missing = await slipway(['plan', 'web'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--env ENV is required/);
    assert.doesNotMatch(service.stderr + env.stderr + missing.stderr, /\n\s+at /, 'no stack trace');
  });

  test('from a running revision: nothing to deploy, then a canary plan once the source changes', async () => {
    const dir = project();
    const platform = new LocalPlatform({
      stateDir: join(dir, '.slipway'),
      agentCommand: [process.execPath, BIN],
    });
    cleanups.push(
      () => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }),
      async () => {
        await platform.client.tryCall('POST', '/v1/shutdown', { keepInstances: false });
        // The agent answers before it has finished: wait for it to remove its socket.
        const socket = join(dir, '.slipway', 'agent', 'agent.sock');
        for (let i = 0; i < 200 && existsSync(socket); i++) await new Promise((r) => setTimeout(r, 25));
      },
    );
    const service = loadConfigText(readFileSync(join(dir, 'slipway.yaml'), 'utf8')).config!.services.web!;
    const ref = { service: 'web', env: 'production' };
    const revision = await platform.createRevision({ service, baseDir: dir });
    await platform.ensureService(ref, {});
    await platform.scale(ref, revision.id, 3);
    assert.equal((await platform.waitReady(ref, revision.id, 3, 20_000)).status, 'ready');
    await platform.setTraffic(ref, { weights: { [revision.id]: 100 } });

    const same = await slipway(['plan', 'web', '--env', 'production', '--json'], dir);
    assert.equal(same.code, 0, same.stderr);
    assert.deepEqual(JSON.parse(same.stdout), {
      service: 'web',
      env: 'production',
      strategy: 'canary',
      steps: [],
    });
    const sameHuman = await slipway(['plan', 'web', '--env', 'production'], dir);
    assert.match(
      sameHuman.stdout,
      new RegExp(`nothing to deploy \\(${revision.id} already serves all traffic\\)`),
    );

    writeFileSync(join(dir, 'app', 'CHANGED'), 'v2\n');
    const changed = await slipway(['plan', 'web', '--env', 'production', '--json'], dir);
    assert.equal(changed.code, 0, changed.stderr);
    const plan = JSON.parse(changed.stdout) as PlanJson & { steps: Record<string, unknown>[] };
    const old = revision.id;
    const next = Object.keys(plan.steps[0]!.instances as Record<string, number>).find((id) => id !== old)!;
    assert.notEqual(next, undefined);
    assert.deepEqual(plan.steps, [
      { action: 'preDeploy', weights: { [old]: 100, [next]: 0 }, instances: { [old]: 3, [next]: 0 } },
      { action: 'scaleUp', weights: { [old]: 100, [next]: 0 }, instances: { [old]: 3, [next]: 1 } },
      {
        action: 'traffic',
        weights: { [old]: 90, [next]: 10 },
        instances: { [old]: 3, [next]: 1 },
        durationMs: 60_000,
        analyze: true,
      },
      {
        action: 'traffic',
        weights: { [old]: 50, [next]: 50 },
        instances: { [old]: 3, [next]: 2 },
        pause: true,
      },
      { action: 'promote', weights: { [old]: 0, [next]: 100 }, instances: { [old]: 3, [next]: 3 } },
      { action: 'scaleDown', weights: { [next]: 100 }, instances: { [old]: 0, [next]: 3 } },
    ]);
    const human = await slipway(['plan', 'web', '--env', 'production'], dir);
    assert.match(
      human.stdout,
      new RegExp(`web to production: canary, ${old} \\(3 instance\\(s\\)\\) -> ${next}`),
    );
    assert.match(human.stdout, /3\. +traffic .* hold 1m with analysis\n/);
    assert.match(human.stdout, /4\. +traffic .* then wait for `slipway promote`\n/);
    // Planning changed nothing: the old revision still has all traffic.
    const status = await platform.status(ref);
    assert.deepEqual(
      status?.revisions.map((r) => [r.id, r.weight]),
      [[old, 100]],
    );
  });
});
