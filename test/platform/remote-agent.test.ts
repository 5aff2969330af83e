/**
 * The agent of a host reached over SSH (platform/remote), against namespace hosts: host-1 has this
 * Slipway installed by the host-setup code path, host-2 has nothing. The agent is started once and
 * found running after; its control API is reached only through a unix socket forwarded over SSH;
 * revisions are shipped content-addressed; unreachable and bare hosts fail with typed errors naming them.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { agentPaths } from '../../src/platform/local/agent/agent-paths.js';
import { AgentClient } from '../../src/platform/local/agent-client.js';
import type { HostPlatform } from '../../src/platform/remote/host-platform.js';
import {
  ensureRemoteAgent,
  PROBE_SCRIPT,
  remoteAgentSocket,
} from '../../src/platform/remote/remote-agent.js';
import { RemoteHostError } from '../../src/platform/remote/remote-errors.js';
import { SshError } from '../../src/platform/ssh/errors.js';
import type { ShipResult } from '../../src/platform/ssh/ship-revision.js';
import { sshForwardArgs } from '../../src/platform/ssh/ssh-args.js';
import { SshTransport } from '../../src/platform/ssh/ssh-transport.js';
import { captureIo } from '../helpers/capture-io.js';
import {
  createNamespaceHosts,
  type NamespaceHost,
  type NamespaceHosts,
  namespaceHostsSkip,
} from '../helpers/namespace-hosts.js';
import { fixtureService, get, tempProject } from './helpers.js';
import {
  assertBuilt,
  CLIENT,
  hostPlatform,
  installSlipway,
  resolvedHost,
  transportTo,
  trustAll,
  VERSION,
} from './remote-hosts.js';

/** Pids of the supervisors running an agent for `stateDir` (the namespaces share this pid space). */
function supervisors(stateDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const run = argv.indexOf('run');
      if (argv[run - 1] === 'agent' && argv.includes(stateDir) && !argv.includes('--role'))
        pids.push(Number(entry));
    } catch {
      // Gone while read.
    }
  }
  return pids;
}

/** The TCP listeners in the host's namespace: `address:port` and the owning program. */
function tcpListeners(host: NamespaceHost): { local: string; port: number; program: string }[] {
  const out = execFileSync('ip', ['netns', 'exec', host.namespace, 'ss', '-Hltnp'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      const local = fields[3] ?? '';
      return {
        local,
        port: Number(local.slice(local.lastIndexOf(':') + 1)),
        program: /users:\(\("([^"]+)"/.exec(line)?.[1] ?? '',
      };
    });
}

test("the remote agent's socket is where the agent puts it, long state paths included", () => {
  for (const stateDir of ['/srv/slipway/state', `/srv/${'x'.repeat(120)}/state`, '/srv//a/./state']) {
    assert.equal(remoteAgentSocket(stateDir, tmpdir()), agentPaths(stateDir).socket);
  }
});

test('a socket forward is asked of the master connection, never a TCP port', () => {
  const target = { name: 'web-1', host: '10.0.0.5', user: 'deploy' };
  const control = { path: '/tmp/slipway-ssh-x/master', persistSeconds: 60 };
  const forward = {
    local: '/tmp/slipway-ssh-x/forward-1.sock',
    remote: '/srv/slipway/state/agent/agent.sock',
  };
  const args = sshForwardArgs(target, {}, control, 'forward', forward);
  assert.deepEqual(args.slice(-6), [
    '-O',
    'forward',
    '-L',
    `${forward.local}:${forward.remote}`,
    '--',
    '10.0.0.5',
  ]);
  assert.ok(args.includes('ControlPath=/tmp/slipway-ssh-x/master'));
  assert.equal(sshForwardArgs(target, {}, control, 'cancel', forward).at(-5), 'cancel');
});

test('agent run --listen takes an IP address only', async () => {
  const io = captureIo(tmpdir(), { ...process.env, NO_COLOR: '1' });
  const code = await main(
    ['agent', 'run', '--state-dir', join(tmpdir(), 'nope'), '--listen', 'example.com'],
    io,
  );
  assert.equal(code, 2);
  assert.match(io.err(), /--listen must be an IP address/);
});

describe('remote agent on namespace hosts', { timeout: 180_000, skip: namespaceHostsSkip() }, () => {
  let lab: NamespaceHosts;
  let knownHosts: string;
  let project: ReturnType<typeof tempProject>;
  let platform: HostPlatform;
  const ships: ShipResult[] = [];
  const transports: SshTransport[] = [];
  const host = (i: number) => lab.hosts[i - 1] as NamespaceHost;
  const open = (h: NamespaceHost) => {
    const transport = transportTo(lab, h, knownHosts);
    transports.push(transport);
    return transport;
  };

  before(async () => {
    const t0 = Date.now();
    assertBuilt();
    lab = await createNamespaceHosts(2);
    knownHosts = trustAll(lab);
    project = tempProject();
    await installSlipway(open(host(1)), host(1));
    platform = hostPlatform(lab, host(1), knownHosts, project.stateDir, { onShip: (s) => ships.push(s) });
    process.stderr.write(`  hosts made and set up in ${Date.now() - t0} ms\n`);
  });
  after(async () => {
    const t0 = Date.now();
    await platform?.close();
    await Promise.allSettled(transports.map((transport) => transport.close()));
    await lab?.cleanup();
    project?.cleanup();
    process.stderr.write(`  cleaned up in ${Date.now() - t0} ms\n`);
  });

  test('the agent is started once, detached from SSH; a second ensure finds it running', async () => {
    const first = open(host(1));
    const started = await ensureRemoteAgent(first, resolvedHost(host(1)));
    assert.equal(started.status, 'started');
    assert.equal(started.version, VERSION);
    assert.equal(started.stateDir, `${host(1).dir}/state`);
    assert.ok(
      started.socket.startsWith(first.controlDir as string),
      'the socket is in the private control folder',
    );
    assert.deepEqual(supervisors(started.stateDir).length, 1);
    // The SSH connection that started it ends; the agent stays.
    await first.close();
    assert.equal(existsSync(started.socket), false, 'the forwarded socket goes with its connection');
    const second = open(host(1));
    // The probe starts no Node.js for an agent running current's Slipway: the agent tells its version.
    const probe = await second.run(['sh', '-c', PROBE_SCRIPT, 'agent', host(1).dir]);
    assert.ok(probe.stdout.split('\n').includes('running-current'), probe.stdout);
    assert.doesNotMatch(probe.stdout, /^version/m);
    const again = await ensureRemoteAgent(second, resolvedHost(host(1)));
    assert.equal(again.status, 'running');
    assert.equal(again.version, VERSION);
    assert.equal(supervisors(started.stateDir).length, 1, 'no second agent');
    assert.equal((await platform.connect()).status, 'running');
  });

  test('services bind the host address; the control API has no TCP listener', async () => {
    const ref = { service: 'web', env: 'remote' };
    const revision = await platform.createRevision({
      service: fixtureService({ instances: 1 }),
      baseDir: project.dir,
    });
    const status = await platform.ensureService(ref, {});
    await platform.scale(ref, revision.id, 1);
    assert.equal((await platform.waitReady(ref, revision.id, 1, 20_000)).status, 'ready');
    await platform.setTraffic(ref, { weights: { [revision.id]: 100 } });
    const url = new URL(status.url as string);
    assert.equal(url.hostname, host(1).address, 'the URL names the host');
    const res = await get(`${status.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.body, /^hello v1/);

    const now = await platform.status(ref);
    const instancePorts = (now?.instances ?? []).map((i) => Number(i.address?.split(':')[1]));
    const listeners = tcpListeners(host(1));
    const wildcard = listeners.filter((l) => /^(0\.0\.0\.0|\*|\[::\]):/.test(l.local));
    assert.deepEqual(
      wildcard.map((l) => l.port),
      [Number(url.port)],
      `only the service port listens on every address: ${JSON.stringify(listeners)}`,
    );
    const others = listeners.filter(
      (l) => !wildcard.includes(l) && l.program !== 'sshd' && !instancePorts.includes(l.port),
    );
    // What is left is the agent's Prometheus endpoint on loopback, never the control API.
    assert.ok(others.length <= 1, JSON.stringify(others));
    for (const l of others) {
      assert.match(l.local, /^127\.0\.0\.1:/);
      const metrics = execFileSync(
        'ip',
        [
          'netns',
          'exec',
          host(1).namespace,
          process.execPath,
          '-e',
          `fetch('http://127.0.0.1:${l.port}/v1/status').then((r) => r.text()).then(console.log, () => {})`,
        ],
        { encoding: 'utf8' },
      );
      assert.doesNotMatch(metrics, /services/, 'the control API answered on TCP');
    }
    const unix = execFileSync('ip', ['netns', 'exec', host(1).namespace, 'ss', '-Hlxp'], {
      encoding: 'utf8',
    });
    assert.ok(
      unix.includes(`${host(1).dir}/state/agent/agent.sock`),
      'the control API is on its unix socket',
    );
    await platform.remove(ref);
  });

  test('a revision is shipped content-addressed: the same one again sends nothing', async () => {
    const service = fixtureService({ env: { VERSION: 'ship-1' } });
    const before = ships.length;
    const first = await platform.createRevision({ service, baseDir: project.dir });
    assert.equal(ships.length, before + 1);
    assert.equal(ships.at(-1)?.status, 'stored', 'its blobs are shipped, its tree built by the agent');
    const second = await platform.createRevision({ service, baseDir: project.dir });
    assert.deepEqual(second, first);
    assert.equal(ships.length, before + 1, 'the second createRevision shipped again');
    // Another config over the same source: only the new manifest.json travels.
    await platform.createRevision({
      service: fixtureService({ env: { VERSION: 'ship-2' } }),
      baseDir: project.dir,
    });
    assert.equal(ships.at(-1)?.filesSent, 1);
    const stored = await platform.findRevision('web', first.id);
    assert.deepEqual(stored, first);
  });

  test('one revision asked for at once is placed once; asked again later it costs no SSH command', async () => {
    const service = fixtureService({ env: { VERSION: 'staged-1' } });
    const before = ships.length;
    const transport = platform.transport;
    const run = transport.run.bind(transport);
    let commands = 0;
    transport.run = (...args: Parameters<SshTransport['run']>) => {
      commands++;
      return run(...args);
    };
    try {
      // A fleet deploy stages the revision, then the region's wave asks for it again.
      const [staged, joined] = await Promise.all([
        platform.createRevision({ service, baseDir: project.dir }),
        platform.createRevision({ service, baseDir: project.dir }),
      ]);
      assert.deepEqual(joined, staged);
      assert.equal(ships.length, before + 1, 'shipped once');
      assert.ok(commands > 0);
      commands = 0;
      const wave = await platform.createRevision({ service, baseDir: project.dir });
      assert.deepEqual(wave, staged);
      assert.equal(ships.length, before + 1, 'no second shipment');
      assert.equal(commands, 0, 'no SSH command for a revision already placed');
      assert.deepEqual(await platform.findRevision('web', staged.id), staged, 'the host has it');
    } finally {
      transport.run = run;
    }
  });

  test('slipway host setup says the agent already runs, with its version (--json: agent)', async () => {
    const h = host(1);
    writeFileSync(
      join(project.dir, 'slipway.yaml'),
      [
        'jobs:',
        '  build: { run: "true" }',
        'hosts:',
        `  use1-a: { address: ssh://root@${h.address}, region: us-east-1, dir: ${h.dir} }`,
        '',
      ].join('\n'),
    );
    const slipway = async (...args: string[]) => {
      const io = captureIo(project.dir, { ...process.env, NO_COLOR: '1' });
      const code = await main([...args, '--known-hosts', knownHosts, '--identity', lab.clientKey], io);
      return { code, out: io.out(), err: io.err() };
    };
    const text = await slipway('host', 'setup', 'use1-a');
    assert.equal(text.code, 0, text.err + text.out);
    assert.match(
      text.out,
      new RegExp(`The agent already runs there, Slipway ${VERSION.replaceAll('.', '\\.')}\\.`),
    );
    const json = await slipway('host', 'setup', 'use1-a', '--json');
    assert.equal(json.code, 0, json.err + json.out);
    assert.deepEqual((JSON.parse(json.out) as { agent: unknown }).agent, {
      status: 'running',
      version: VERSION,
    });
    assert.equal(supervisors(`${h.dir}/state`).length, 1);
  });

  test('an agent running another installed Slipway is restarted; its services keep serving', async () => {
    const h = host(1);
    const ref = { service: 'web', env: 'upgrade' };
    const revision = await platform.createRevision({
      service: fixtureService({ instances: 1 }),
      baseDir: project.dir,
    });
    const status = await platform.ensureService(ref, {});
    await platform.scale(ref, revision.id, 1);
    assert.equal((await platform.waitReady(ref, revision.id, 1, 20_000)).status, 'ready');
    await platform.setTraffic(ref, { weights: { [revision.id]: 100 } });
    const before = supervisors(`${h.dir}/state`);
    // Another installed Slipway (the same files under another revision folder), made over SSH.
    const transport = open(h);
    await transport.run([
      'sh',
      '-c',
      'set -eu; cd "$1"; r=$(readlink current); rm -rf revisions/other; cp -al "$r" revisions/other; ln -sfn revisions/other .c; mv -T .c current',
      'test',
      h.dir,
    ]);
    const upgraded = await ensureRemoteAgent(transport, resolvedHost(h));
    assert.equal(upgraded.status, 'restarted');
    assert.equal(upgraded.previousVersion, VERSION);
    assert.equal(upgraded.version, VERSION);
    const after = supervisors(`${h.dir}/state`);
    assert.equal(after.length, 1);
    assert.notDeepEqual(after, before, 'a new supervisor runs');
    const deadline = Date.now() + 10_000;
    let res = await get(`${status.url}/`);
    while (res.status !== 200 && Date.now() < deadline) res = await get(`${status.url}/`);
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /^hello v1/);
    assert.equal((await ensureRemoteAgent(transport, resolvedHost(h))).status, 'running');
    await platform.remove(ref);
  });

  test('a forwarded socket is made again when the master connection ended', async () => {
    const h = host(1);
    const transport = new SshTransport(
      { ...h.target, knownHostsFile: knownHosts, identityFile: lab.clientKey },
      { client: { ...CLIENT, controlPersistSeconds: 1 }, controlParent: lab.scratch },
    );
    transports.push(transport);
    const agent = await ensureRemoteAgent(transport, resolvedHost(h));
    const client = new AgentClient(agent.stateDir, undefined, undefined, { socket: agent.socket });
    assert.ok(await client.tryCall('GET', '/v1/status'));
    // The master connection ends (killed here; idle past ControlPersist or cut off in real life).
    const check = spawnSync(
      'ssh',
      ['-S', join(transport.controlDir as string, 'master'), '-O', 'check', 'x'],
      {
        encoding: 'utf8',
      },
    );
    const pid = Number(/pid=(\d+)/.exec(check.stderr + check.stdout)?.[1]);
    assert.ok(pid > 0, check.stderr);
    process.kill(pid, 'SIGKILL');
    const logins = lab.acceptedConnections(h);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await transport.keepForwards();
    assert.equal(lab.acceptedConnections(h), logins + 1, 'a new master connection');
    const status = await client.call<{ agent: { stateDir: string } }>('GET', '/v1/status');
    assert.equal(status.agent.stateDir, agent.stateDir);
  });

  test('a host whose link is down fails with an SshError naming it', async () => {
    const h = host(1);
    lab.setLinkDown(h);
    try {
      const error = await ensureRemoteAgent(open(h), resolvedHost(h)).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof SshError, String(error));
      assert.equal(error.code, 'SSH_HOST_UNREACHABLE');
      assert.equal(error.host, h.name);
      assert.match(error.message, new RegExp(`${h.name} \\(root@${h.address.replaceAll('.', '\\.')}`));
    } finally {
      lab.setLinkUp(h);
    }
  });

  test('a host without Slipway installed says to run slipway host setup', async () => {
    const h = host(2);
    const error = await ensureRemoteAgent(open(h), resolvedHost(h)).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof RemoteHostError, String(error));
    assert.equal(error.code, 'REMOTE_NOT_SET_UP');
    assert.equal(error.host, h.name);
    assert.match(error.message, new RegExp(`run \`slipway host setup ${h.name}\``));
    assert.equal(supervisors(`${h.dir}/state`).length, 0);
    assert.equal(existsSync(`${h.dir}/state`), false, 'nothing was written on the bare host');
  });
});
