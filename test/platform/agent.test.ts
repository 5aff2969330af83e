/** The local agent as a process: surviving its own crash, stopping with or without instances, metrics, CLI. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import type { SavedState } from '../../src/platform/local/agent/agent-state.js';
import { AGENT_COMMAND, alive, fixtureService, get, localPlatform, sleep, tempProject } from './helpers.js';

interface AgentStatus {
  agent: { pid: number; metricsUrl?: string };
}

function instancePids(stateFile: string): Map<string, { pid: number; port: number }> {
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as SavedState;
  return new Map(
    state.units.flatMap((u) => u.instances.map((i) => [i.id, { pid: i.pid, port: i.port }] as const)),
  );
}

async function deploy(
  platform: ReturnType<typeof localPlatform>['platform'],
  dir: string,
  env: string,
  instances = 2,
) {
  const ref = { service: 'web', env };
  const revision = await platform.createRevision({ service: fixtureService({ instances }), baseDir: dir });
  const status = await platform.ensureService(ref, {});
  await platform.scale(ref, revision.id, instances);
  const ready = await platform.waitReady(ref, revision.id, instances, 20_000);
  assert.equal(ready.status, 'ready');
  await platform.setTraffic(ref, { weights: { [revision.id]: 100 } });
  return { ref, revision, url: status.url as string };
}

describe('local agent', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  test('instances and routing survive an agent crash; the agent comes back by itself and re-adopts them', async () => {
    const project = tempProject();
    const { platform, close } = localPlatform(project.stateDir);
    cleanups.push(project.cleanup, close);
    const { url } = await deploy(platform, project.dir, 'crash');
    assert.equal((await get(`${url}/`)).status, 200);
    const before = instancePids(platform.client.paths.stateFile);
    assert.equal(before.size, 2);
    const { agent } = await platform.client.call<AgentStatus>('GET', '/v1/status');
    process.kill(agent.pid, 'SIGKILL');
    await sleep(200);
    assert.equal(alive(agent.pid), false);
    for (const { pid, port } of before.values()) {
      assert.ok(alive(pid), `instance ${pid} survived the agent`);
      assert.equal((await get(`http://127.0.0.1:${port}/`)).status, 200, 'instance still serves directly');
    }
    // The router does not live in the agent: it kept serving, and the supervisor restarts the agent.
    assert.equal((await get(`${url}/`)).status, 200, 'the router serves while the agent is down');
    const deadline0 = Date.now() + 2000;
    let back: AgentStatus | undefined;
    while (!back && Date.now() < deadline0) {
      const status = await platform.client.tryCall<AgentStatus>('GET', '/v1/status');
      if (status && status.agent.pid !== agent.pid) back = status;
      else await sleep(20);
    }
    assert.ok(back, 'the agent came back by itself within 2 s of the kill');
    const afterPids = instancePids(platform.client.paths.stateFile);
    assert.deepEqual(
      [...afterPids.values()].map((i) => i.pid).sort(),
      [...before.values()].map((i) => i.pid).sort(),
    );
    // Probing resumed too: an instance killed now is noticed and restarted.
    const victim = [...before.values()][0];
    assert.ok(victim);
    process.kill(victim.pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    let restarted = false;
    while (Date.now() < deadline && !restarted) {
      const status = await platform.status({ service: 'web', env: 'crash' });
      restarted =
        (status?.instances ?? []).some((i) => i.restarts >= 1) &&
        (status?.instances ?? []).every((i) => i.ready);
      await sleep(50);
    }
    assert.ok(restarted, 'the killed instance was restarted by the new agent');
  });

  test('agent stop drains and stops every instance; --keep-instances leaves them to the next agent', async () => {
    const project = tempProject();
    const { platform, close } = localPlatform(project.stateDir);
    cleanups.push(project.cleanup, close);
    const { url } = await deploy(platform, project.dir, 'stop', 1);
    const pids = [...instancePids(platform.client.paths.stateFile).values()].map((i) => i.pid);
    const cli = (...args: string[]) =>
      spawnSync(AGENT_COMMAND[0] as string, [...AGENT_COMMAND.slice(1), ...args], {
        cwd: project.dir,
        encoding: 'utf8',
      });
    const keep = cli('agent', 'stop', '--keep-instances');
    assert.equal(keep.status, 0, keep.stderr);
    assert.match(keep.stdout, /instances left running/);
    assert.ok(pids.every(alive), 'instances kept');
    assert.equal(existsSync(platform.client.paths.socket), false);
    const status = cli('agent', 'status');
    assert.equal(status.status, 1);
    assert.match(status.stdout, /no agent is running/);
    const start = cli('agent', 'start');
    assert.equal(start.status, 0, start.stderr);
    assert.match(start.stdout, /web \(stop\) http:\/\/127\.0\.0\.1:\d+/);
    assert.equal((await get(`${url}/`)).status, 200);
    const slow = get(`${url}/slow?ms=700`);
    await sleep(100);
    const { agent: running } = await platform.client.call<AgentStatus>('GET', '/v1/status');
    const stop = cli('agent', 'stop');
    assert.equal(stop.status, 0, stop.stderr);
    await sleep(300);
    assert.equal(alive(running.pid), false, 'the agent process exited');
    assert.equal((await slow).status, 200, 'the in-flight request finished during the drain');
    await sleep(100);
    assert.ok(
      pids.every((pid) => !alive(pid)),
      'instances stopped',
    );
  });

  test('metrics: Prometheus text on the metrics endpoint, per revision', async () => {
    const project = tempProject();
    const { platform, close } = localPlatform(project.stateDir);
    cleanups.push(project.cleanup, close);
    const { url, revision } = await deploy(platform, project.dir, 'metrics', 1);
    for (let i = 0; i < 5; i++) await get(`${url}/`);
    const { agent } = await platform.client.call<AgentStatus>('GET', '/v1/status');
    assert.ok(agent.metricsUrl);
    const text = (await get(agent.metricsUrl)).body;
    const line = text
      .split('\n')
      .find((l) => l.startsWith('slipway_router_requests_total{') && l.includes(`revision="${revision.id}"`));
    assert.ok(line, text);
    assert.match(line, /service="web"/);
    assert.match(line, /env="metrics"/);
    assert.ok(Number(line.split(' ').pop()) >= 5);
    assert.match(text, /slipway_router_request_duration_seconds_bucket\{/);
  });

  test('CLI: deploy, health, logs and agent status against a real project', async () => {
    const project = tempProject();
    const { close } = localPlatform(project.stateDir);
    cleanups.push(project.cleanup, close);
    const yaml = [
      'version: 1',
      'services:',
      '  web:',
      '    run: node server.mjs',
      '    source: app',
      '    instances: 2',
      '    env: { VERSION: v7 }',
      '    health:',
      '      readiness: { http: /healthz, period: 200ms, timeout: 300ms }',
      '    dependencies:',
      '      cache: { redis: "redis://127.0.0.1:6379" }',
      '      payments: { http: "http://127.0.0.1:1/health", timeout: 500ms }',
      'environments:',
      '  dev: {}',
    ].join('\n');
    writeFileSync(`${project.dir}/slipway.yaml`, `${yaml}\n`);
    const cli = (...args: string[]) =>
      spawnSync(AGENT_COMMAND[0] as string, [...AGENT_COMMAND.slice(1), ...args], {
        cwd: project.dir,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
    const deployed = cli('deploy', 'web', '--env', 'dev');
    assert.equal(deployed.status, 0, deployed.stderr + deployed.stdout);
    const url = /serves dev at (http:\/\/\S+)/.exec(deployed.stdout)?.[1];
    assert.ok(url, deployed.stdout);
    assert.match((await get(`${url}/`)).body, /^hello v7/);
    const health = cli('health', 'web', '--env', 'dev');
    assert.equal(health.status, 1, 'payments is unreachable');
    assert.match(health.stdout, /readiness: passing \d+\.\d ms/);
    assert.match(health.stdout, /cache \(redis redis:\/\/127\.0\.0\.1:6379\): ok/);
    assert.match(health.stdout, /payments \(http .*\): FAIL/);
    const json = cli('--json', 'health', 'web', '--env', 'dev');
    const report = JSON.parse(json.stdout) as { instances: unknown[]; dependencies: { ok: boolean }[] };
    assert.equal(report.instances.length, 2);
    const logs = cli('logs', 'web', '--env', 'dev');
    assert.equal(logs.status, 0, logs.stderr);
    assert.match(logs.stdout, /\| listening on \d+ \(v7, ok\)/);
    const missingEnv = cli('health', 'web');
    assert.equal(missingEnv.status, 2);
    assert.match(missingEnv.stderr, /--env ENV is required/);
    const unknown = cli('deploy', 'nope', '--env', 'dev');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no service 'nope'/);
  });
});
