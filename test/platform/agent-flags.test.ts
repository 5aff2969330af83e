/**
 * Flags served by real agents: two agents (two state directories) get flag sets through
 * publishFlags and answer OFREP with them; a change reaches both within a second, an older version
 * is ignored, a restarted agent serves the set it kept, a port in use is refused by name, and
 * instances get the endpoint as OFREP_ENDPOINT. Then a namespace host's agent, reached over SSH,
 * serves flags beside a host that cannot be reached, which is named.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import type { FlagSnapshot } from '../../src/flags/flag-engine.js';
import { PlatformError } from '../../src/platform/errors.js';
import type { PublishedFlags } from '../../src/platform/flag-publisher.js';
import type { FlagsStatus } from '../../src/platform/local/agent/agent-flags.js';
import { AgentApi } from '../../src/platform/local/agent-api.js';
import type { LocalPlatform } from '../../src/platform/local/local-platform.js';
import type { HostPlatform } from '../../src/platform/remote/host-platform.js';
import {
  FlagsNotPublishedError,
  HostsFlagPublisher,
} from '../../src/platform/remote/hosts-flag-publisher.js';
import { createNamespaceHosts, type NamespaceHosts, namespaceHostsSkip } from '../helpers/namespace-hosts.js';
import { alive, fixtureService, localPlatform, sleep, tempProject } from './helpers.js';
import { assertBuilt, hostPlatform, installSlipway, transportTo, trustAll } from './remote-hosts.js';

const LOOPBACK = { host: '127.0.0.1', port: 0 };

/** A set whose one flag `color` serves `value` (and `welcome`, targeted on the user's plan). */
function colorSet(version: number, value: string): FlagSnapshot {
  return {
    version,
    document: {
      flags: {
        color: { state: 'ENABLED', variants: { v: value }, defaultVariant: 'v' },
        welcome: {
          state: 'ENABLED',
          variants: { plain: 'hello', gold: 'welcome back' },
          defaultVariant: 'plain',
          targeting: { if: [{ '==': [{ var: 'plan' }, 'gold'] }, 'gold', null] },
        },
      },
    },
  };
}

/** POST one OFREP evaluation; the answer's value (undefined when the request fails). */
async function evaluate(url: string, key: string, context: object = {}): Promise<unknown> {
  try {
    const res = await fetch(`${url}/ofrep/v1/evaluate/flags/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ context }),
      signal: AbortSignal.timeout(5000),
    });
    return ((await res.json()) as { value?: unknown }).value;
  } catch {
    return undefined;
  }
}

/** Waits (bounded by `ms`, polling) until `check` holds; true if it did. */
async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    if (await check()) return true;
    await sleep(10);
  }
  return check();
}

/** A TCP server holding a free loopback port. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

describe('agents serve flags', { timeout: 120_000 }, () => {
  const projects = [tempProject(), tempProject()];
  const agents = projects.map((p) => localPlatform(p.stateDir));
  const [a, b] = agents.map((agent) => agent.platform) as [LocalPlatform, LocalPlatform];
  const fleet = new HostsFlagPublisher([
    { name: 'agent-a', publisher: a },
    { name: 'agent-b', publisher: b },
  ]);
  const flagsOf = (platform: LocalPlatform) => new AgentApi(platform.client).flags();
  let urls: string[] = [];

  before(async () => {
    // Both agents running before anything is measured.
    await Promise.all(agents.map(({ platform }) => platform.client.start()));
  });
  after(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    for (const project of projects) project.cleanup();
  });

  test('publishFlags gives every agent the set; each answers OFREP with it', async () => {
    assert.deepEqual(await flagsOf(a), { version: 0 });
    const published = await fleet.publishFlags(colorSet(1, 'red'), LOOPBACK);
    assert.deepEqual(
      published.map((p) => p.version),
      [1, 1],
    );
    urls = published.map((p: PublishedFlags) => p.url);
    for (const url of urls) assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(urls[0], urls[1], 'each agent listens on a port of its own');
    for (const url of urls) {
      assert.equal(await evaluate(url, 'color'), 'red');
      assert.equal(await evaluate(url, 'welcome', { targetingKey: 'u1', plan: 'gold' }), 'welcome back');
      assert.equal(await evaluate(url, 'welcome', { targetingKey: 'u2', plan: 'free' }), 'hello');
    }
    const status: FlagsStatus = await flagsOf(a);
    assert.equal(status.version, 1);
    assert.equal(status.url, urls[0]);
    assert.match(status.digest ?? '', /^[0-9a-f]{16}$/);
    assert.equal((await flagsOf(b)).digest, status.digest, 'the same set has the same digest everywhere');
    assert.equal(statSync(a.client.paths.flagsFile).mode & 0o777, 0o600, 'the flag file is private');
  });

  test('a new version reaches both agents within a second of the publish starting', async (t) => {
    const started = performance.now();
    const publishing = fleet.publishFlags(colorSet(2, 'blue'), LOOPBACK);
    const settled = publishing.then(() => performance.now() - started);
    const seen = await Promise.all(
      urls.map((url) =>
        until(async () => (await evaluate(url, 'color')) === 'blue', 2000).then((ok) =>
          ok ? performance.now() - started : Number.POSITIVE_INFINITY,
        ),
      ),
    );
    const published = await publishing;
    const ms = Math.max(...seen);
    t.diagnostic(
      `propagation to both agents: ${ms.toFixed(1)} ms (publishFlags resolved after ${(await settled).toFixed(1)} ms)`,
    );
    assert.ok(ms < 1000, `both agents answered the new value after ${ms.toFixed(1)} ms`);
    assert.deepEqual(
      published.map((p) => [p.version, p.url]),
      urls.map((url) => [2, url]),
      'port 0 keeps the port each agent bound',
    );
  });

  test('an older version is ignored: the agents answer the version they serve', async () => {
    const published = await fleet.publishFlags(colorSet(1, 'green'), LOOPBACK);
    assert.deepEqual(
      published.map((p) => p.version),
      [2, 2],
    );
    for (const url of urls) assert.equal(await evaluate(url, 'color'), 'blue');
  });

  test('a bad set is refused with its reason; the served one stays', async () => {
    const bad: FlagSnapshot = {
      version: 9,
      document: { flags: { color: { state: 'ENABLED', variants: { v: 'x' }, defaultVariant: 'missing' } } },
    };
    await assert.rejects(a.publishFlags(bad, LOOPBACK), (error: unknown) => {
      assert.ok(error instanceof PlatformError);
      assert.equal(error.code, 'BAD_REQUEST');
      assert.match(
        error.message,
        /version 9 cannot be served: the flag set is not a valid flagd definition: .*missing/,
      );
      return true;
    });
    assert.equal((await flagsOf(a)).version, 2);
    assert.equal(await evaluate(urls[0] as string, 'color'), 'blue');
  });

  test('instances the agent starts get the OFREP endpoint', async () => {
    const out = join(projects[0]?.dir as string, 'ofrep-endpoint.txt');
    const service = fixtureService({
      instances: 1,
      run: `sh -c 'printf %s "$OFREP_ENDPOINT" > "$OUT" && exec node server.mjs'`,
      env: { VERSION: 'v1', OUT: out },
    });
    const ref = { service: 'web', env: 'flags' };
    const revision = await a.createRevision({ service, baseDir: projects[0]?.dir as string });
    await a.ensureService(ref, {});
    await a.scale(ref, revision.id, 1);
    assert.equal((await a.waitReady(ref, revision.id, 1, 20_000)).status, 'ready');
    assert.equal(readFileSync(out, 'utf8'), urls[0]);
    await a.remove(ref);
  });

  test('a restarted agent serves the set it kept, on the same port', async () => {
    const { agent } = await a.client.call<{ agent: { pid: number; supervisorPid: number } }>(
      'GET',
      '/v1/status',
    );
    await a.client.call('POST', '/v1/shutdown', { keepInstances: false });
    // Its supervisor too, else the client would wait for it to bring the agent back.
    const gone = await until(
      async () => !existsSync(a.client.paths.socket) && !alive(agent.pid) && !alive(agent.supervisorPid),
      20_000,
    );
    assert.ok(gone, 'the agent and its supervisor stopped');
    assert.equal(await evaluate(urls[0] as string, 'color'), undefined, 'the listener closed with the agent');
    // Any call starts the agent again.
    const status = await flagsOf(a);
    assert.equal(status.version, 2);
    assert.equal(status.url, urls[0]);
    assert.equal(await evaluate(urls[0] as string, 'color'), 'blue');
  });

  test('a port in use is refused naming the port; the set served and the agent carry on', async () => {
    const held = await holdPort();
    try {
      await assert.rejects(
        fleet.publishFlags(colorSet(3, 'yellow'), { host: '127.0.0.1', port: held.port }),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, new RegExp(`port ${held.port} is already in use`));
          assert.match(error.message, /did not reach 2 of 2 host\(s\)/);
          return true;
        },
      );
      await assert.rejects(a.publishFlags(colorSet(3, 'yellow'), { host: '127.0.0.1', port: held.port }), {
        code: 'PORT_IN_USE',
      });
    } finally {
      held.server.close();
    }
    for (const [i, url] of urls.entries()) {
      assert.equal(await evaluate(url, 'color'), 'blue', `agent ${i} still serves version 2`);
    }
    assert.equal((await a.list()).length, 0, 'the agent still answers');
    const moved = await a.publishFlags(colorSet(3, 'yellow'), LOOPBACK);
    assert.deepEqual(
      moved.map((p) => [p.host, p.version]),
      [['local', 3]],
    );
    assert.equal(await evaluate(urls[0] as string, 'color'), 'yellow');
  });
});

describe('a host reached over SSH serves flags', { timeout: 180_000, skip: namespaceHostsSkip() }, () => {
  let lab: NamespaceHosts;
  let project: ReturnType<typeof tempProject>;
  const platforms: HostPlatform[] = [];

  before(async () => {
    assertBuilt();
    lab = await createNamespaceHosts(2);
    project = tempProject();
    const knownHosts = trustAll(lab);
    const [up, down] = lab.hosts as [NamespaceHosts['hosts'][0], NamespaceHosts['hosts'][0]];
    const setup = transportTo(lab, up, knownHosts);
    try {
      await installSlipway(setup, up);
    } finally {
      await setup.close();
    }
    for (const host of [up, down]) platforms.push(hostPlatform(lab, host, knownHosts, project.stateDir));
    lab.setLinkDown(down);
  });
  after(async () => {
    await Promise.allSettled(platforms.map((platform) => platform.close()));
    await lab?.cleanup();
    project?.cleanup();
  });

  test('the reachable host serves the set on its address; the one cut off is named', async () => {
    const [up, down] = platforms as [HostPlatform, HostPlatform];
    const hosts = new HostsFlagPublisher(
      platforms.map((platform) => ({ name: platform.host.name, publisher: platform })),
    );
    // Served on the host's own address, so this machine can ask it too.
    const serving = { host: up.host.address.host, port: 0 };
    const error = await hosts.publishFlags(colorSet(5, 'teal'), serving).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof FlagsNotPublishedError, String(error));
    assert.deepEqual(
      error.failures.map((f) => f.host),
      [down.host.name],
      error.message,
    );
    assert.match(error.message, new RegExp(`did not reach 1 of 2 host\\(s\\): .*host ${down.host.name}\\b`));
    assert.deepEqual(
      error.published.map((p) => [p.host, p.version]),
      [[up.host.name, 5]],
    );
    const url = error.published[0]?.url as string;
    assert.match(url, new RegExp(`^http://${serving.host.replaceAll('.', '\\.')}:\\d+$`));
    assert.equal(await evaluate(url, 'color'), 'teal');
    const started = performance.now();
    await up.publishFlags(colorSet(6, 'navy'), serving);
    assert.ok(await until(async () => (await evaluate(url, 'color')) === 'navy', 2000));
    assert.ok(performance.now() - started < 1000, 'a change reaches the host within a second');
  });
});
