/**
 * The data plane outlives its controllers, with real processes: a kill -9 of the agent under load
 * fails no request and the supervisor brings the agent back by itself; a kill -9 of the router
 * process fails at most the requests in flight on it, never refuses a connection, and a
 * replacement serves within a second.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { after, describe, test } from 'node:test';
import {
  AGENT_COMMAND,
  alive,
  fixtureService,
  localPlatform,
  routerPid,
  sleep,
  tempProject,
} from './helpers.js';
import { startLoad } from './load.js';

interface AgentStatus {
  agent: { pid: number; supervisorPid?: number };
}

/** One GET on a fresh connection: its status, or the error code (ECONNREFUSED, ...). */
function freshGet(url: string): Promise<{ status?: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ body, error: error.code ?? error.message }),
      );
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ body: '', error: error.code ?? error.message }),
    );
    req.end();
  });
}

describe('data plane', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function deployed(env: string) {
    const project = tempProject();
    const { platform, close } = localPlatform(project.stateDir);
    cleanups.push(project.cleanup, close);
    const ref = { service: 'web', env };
    const revision = await platform.createRevision({
      service: fixtureService({ instances: 2, env: { VERSION: 'v5' } }),
      baseDir: project.dir,
    });
    const { url } = await platform.ensureService(ref, {});
    await platform.scale(ref, revision.id, 2);
    assert.equal((await platform.waitReady(ref, revision.id, 2, 20_000)).status, 'ready');
    await platform.setTraffic(ref, { weights: { [revision.id]: 100 } });
    const { agent } = await platform.client.call<AgentStatus>('GET', '/v1/status');
    assert.ok(agent.supervisorPid, 'the agent runs under a supervisor');
    return { project, platform, ref, url: url as string, agent };
  }

  test('kill -9 of the agent under load: no failed request, and it is back by itself within 2 s', async () => {
    const { project, platform, ref, url, agent } = await deployed('agent-kill');
    const instances = (await platform.status(ref))?.instances.map((i) => i.id).sort();
    const load = startLoad(`${url}/`);
    await sleep(300);
    process.kill(agent.pid, 'SIGKILL');
    const killedAt = Date.now();
    let back: AgentStatus | undefined;
    while (!back && Date.now() - killedAt < 5000) {
      // tryCall never starts an agent: only the supervisor can have brought it back.
      const status = await platform.client.tryCall<AgentStatus>('GET', '/v1/status');
      if (status && status.agent.pid !== agent.pid) back = status;
      else await sleep(20);
    }
    const backAfter = Date.now() - killedAt;
    assert.ok(back, 'the agent came back');
    assert.ok(backAfter < 2000, `the agent came back after ${backAfter} ms`);
    assert.equal(alive(agent.pid), false);
    assert.equal(back.agent.supervisorPid, agent.supervisorPid, 'the same supervisor restarted it');
    const cli = spawnSync(AGENT_COMMAND[0] as string, [...AGENT_COMMAND.slice(1), 'agent', 'status'], {
      cwd: project.dir,
      encoding: 'utf8',
    });
    assert.equal(cli.status, 0, cli.stdout + cli.stderr);
    assert.match(
      cli.stdout,
      new RegExp(`agent ${back.agent.pid} \\(supervisor ${agent.supervisorPid}\\) running`),
    );
    assert.match(cli.stdout, /web \(agent-kill\) http:\/\/127\.0\.0\.1:\d+/);
    await sleep(300);
    const stats = await load.stop();
    assert.equal(stats.failed, 0, `failed requests: ${stats.errors.join('; ')}`);
    assert.ok(stats.ok > 100, `requests served: ${stats.ok}`);
    assert.ok(stats.maxGapMs < 1000, `longest time without a response: ${stats.maxGapMs} ms`);
    // The new agent adopted the instances (no new ones) and drives the router: a weight change works.
    const status = await platform.status(ref);
    assert.deepEqual(status?.instances.map((i) => i.id).sort(), instances);
    assert.ok(status?.instances.every((i) => i.ready));
    const metrics = await platform.metrics(ref);
    const served = Object.values(metrics.revisions).reduce((sum, m) => sum + m.requests, 0);
    assert.ok(served >= stats.ok, `the router kept its metrics across the agent's death (${served})`);
  });

  test('kill -9 of the router process: only in-flight requests fail, no connection is refused, a new one serves within 1 s', async () => {
    const { url, agent } = await deployed('router-kill');
    const supervisorPid = agent.supervisorPid as number;
    const load = startLoad(`${url}/`);
    await sleep(300);
    const router = routerPid(supervisorPid);
    assert.ok(router, 'a router process runs under the supervisor');
    const inFlight = load.inFlight();
    process.kill(router, 'SIGKILL');
    const killedAt = Date.now();
    const refused: string[] = [];
    let servedAfter = -1;
    let body = '';
    while (Date.now() - killedAt < 5000) {
      const answer = await freshGet(`${url}/`);
      if (answer.error === 'ECONNREFUSED') refused.push(answer.error);
      if (answer.status === 200) {
        servedAfter = Date.now() - killedAt;
        body = answer.body;
        break;
      }
    }
    assert.deepEqual(refused, [], 'the listening socket never closed');
    assert.ok(servedAfter >= 0 && servedAfter < 1000, `a new router served after ${servedAfter} ms`);
    assert.match(body, /^hello v5/, 'the new router got the route table');
    const replacement = routerPid(supervisorPid);
    assert.ok(replacement && replacement !== router, 'the supervisor started a new router');
    await sleep(300);
    const stats = await load.stop();
    assert.ok(
      stats.failed <= inFlight,
      `${stats.failed} failed, ${inFlight} were in flight at the kill: ${stats.errors.join('; ')}`,
    );
    assert.ok(stats.maxGapMs < 1000, `longest time without a response: ${stats.maxGapMs} ms`);
  });
});
