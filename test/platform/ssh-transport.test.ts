/** SshTransport and host trust against real sshd servers in network namespaces (test/helpers/namespace-hosts.ts). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SshError } from '../../src/platform/ssh/errors.js';
import { hostKeyFingerprints, trustHost } from '../../src/platform/ssh/host-keys.js';
import { copyDirectory, uploadFile } from '../../src/platform/ssh/remote-files.js';
import type { SshClientOptions, SshTarget } from '../../src/platform/ssh/ssh-target.js';
import { SshTransport } from '../../src/platform/ssh/ssh-transport.js';
import { trustHostCommand } from '../../src/platform/ssh/trust-command.js';
import {
  createNamespaceHosts,
  type NamespaceHost,
  type NamespaceHosts,
  namespaceHostsSkip,
} from '../helpers/namespace-hosts.js';

const CLIENT: SshClientOptions = { configFile: '/dev/null', connectTimeoutSeconds: 2 };

describe('ssh transport to namespace hosts', { timeout: 120_000, skip: namespaceHostsSkip() }, () => {
  let lab: NamespaceHosts;
  let trusted: string;
  const transports: SshTransport[] = [];
  let files = 0;

  before(async () => {
    lab = await createNamespaceHosts(3, { withoutNode: [3], hostKeyTypes: { 2: ['ed25519', 'ecdsa'] } });
    trusted = join(lab.scratch, 'known_hosts');
    writeFileSync(trusted, lab.hosts.map((h) => lab.knownHostsLines(h)).join(''));
  });
  after(async () => {
    for (const transport of transports) await transport.close();
    await lab?.cleanup();
  });

  const host = (i: number): NamespaceHost => lab.hosts[i - 1] as NamespaceHost;
  const target = (h: NamespaceHost, extra: Partial<SshTarget> = {}): SshTarget => ({
    ...h.target,
    knownHostsFile: trusted,
    identityFile: lab.clientKey,
    ...extra,
  });
  const open = (t: SshTarget): SshTransport => {
    const transport = new SshTransport(t, { client: CLIENT, controlParent: lab.scratch });
    transports.push(transport);
    return transport;
  };
  const scratchFile = (name: string) => join(lab.scratch, `${++files}-${name}`);
  const rejectsWith = async (work: Promise<unknown>, code: string): Promise<SshError> => {
    let caught: unknown;
    await work.catch((error: unknown) => {
      caught = error;
    });
    assert.ok(caught instanceof SshError, `expected an SshError ${code}, got ${String(caught)}`);
    assert.equal(caught.code, code, caught.message);
    return caught;
  };

  test('a command runs on the host and returns its output and exit code', async () => {
    const transport = open(target(host(1)));
    const result = await transport.run(['sh', '-c', 'echo "$HOME"; echo to-stderr >&2; ip -4 -o addr show']);
    assert.equal(result.exitCode, 0);
    assert.match(result.stdout, new RegExp(`^${host(1).dir}\n`));
    assert.match(result.stdout, new RegExp(host(1).address.replaceAll('.', '\\.')));
    assert.equal(result.stderr, 'to-stderr\n');
    const echoed = await transport.run(['printf', '%s|', "it's", 'a b', '$HOME'], { stdin: 'ignored' });
    assert.equal(echoed.stdout, "it's|a b|$HOME|", 'argv words reach the host unchanged');
    const fed = await transport.run('wc -c', { stdin: 'x'.repeat(100_000) });
    assert.equal(fed.stdout.trim(), '100000');
  });

  test('many commands to one host share one TCP connection', async () => {
    const h = host(2);
    const before = lab.acceptedConnections(h);
    const transport = open(target(h));
    for (let i = 0; i < 10; i++) assert.equal((await transport.run(['echo', String(i)])).stdout, `${i}\n`);
    const parallel = await Promise.all(
      Array.from({ length: 20 }, (_, i) => transport.run(['echo', `p${i}`])),
    );
    assert.deepEqual(
      parallel.map((r) => r.stdout),
      Array.from({ length: 20 }, (_, i) => `p${i}\n`),
    );
    assert.equal(lab.acceptedConnections(h) - before, 1, 'sshd accepted exactly one login for 30 commands');
    const established = execFileSync(
      'ip',
      ['netns', 'exec', h.namespace, 'ss', '-Htn', 'state', 'established'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(established.trim().split('\n').length, 1, established);
  });

  test('an unknown host key is refused, naming `slipway host trust`', async () => {
    const empty = scratchFile('known_hosts');
    writeFileSync(empty, '');
    const error = await rejectsWith(
      open(target(host(2), { knownHostsFile: empty })).connect(),
      'SSH_HOST_KEY_UNKNOWN',
    );
    assert.equal(error.kind, 'invalid');
    assert.equal(error.host, 'host-2');
    assert.match(error.message, /slipway host trust host-2/);
    assert.match(error.message, new RegExp(empty));
  });

  test('trusting a host shows its real fingerprints, records every key type, and then it connects', async () => {
    const h = host(2);
    const file = scratchFile('known_hosts');
    const t = target(h, { knownHostsFile: file });
    const real = h.hostKeyPubs
      .map(
        (pub) =>
          execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub], { encoding: 'utf8' }).split(' ')[1],
      )
      .sort();
    assert.equal(real.length, 2);
    const scan = await hostKeyFingerprints(t, CLIENT);
    assert.deepEqual(scan.keys.map((k) => k.fingerprint).sort(), real);
    const lines: string[] = [];
    const result = await trustHostCommand(t, file, (line) => lines.push(line), { client: CLIENT });
    assert.equal(result.recorded.length, 2);
    assert.equal(result.hashed, false, 'with -F /dev/null ssh does not hash');
    for (const fingerprint of real)
      assert.ok(
        lines.some((line) => line.includes(fingerprint as string)),
        lines.join('\n'),
      );
    assert.match(
      lines.at(-1) ?? '',
      new RegExp(
        `^Recorded 2 host keys of host-2 \\((ECDSA|ED25519), (ECDSA|ED25519)\\) in ${file} \\(not hashed\\)\\.$`,
      ),
    );
    const recorded = (text: string) => text.trim().split('\n').sort();
    assert.deepEqual(recorded(readFileSync(file, 'utf8')), recorded(lab.knownHostsLines(h)));
    assert.equal((await open(t).run('echo ok')).stdout, 'ok\n');
    const again = await trustHost(t, file, { client: CLIENT });
    assert.deepEqual([again.recorded.length, again.alreadyKnown.length], [0, 2]);
    await rejectsWith(
      trustHost(t, file, { client: CLIENT, expectFingerprint: 'SHA256:nope' }),
      'SSH_HOST_KEY_MISMATCH',
    );
  });

  test('trust hashes the host name when the ssh config says HashKnownHosts yes', async () => {
    const config = scratchFile('ssh_config');
    writeFileSync(config, 'HashKnownHosts yes\n');
    const file = scratchFile('known_hosts');
    const client = { ...CLIENT, configFile: config };
    const t = target(host(1), { knownHostsFile: file });
    const result = await trustHost(t, file, { client });
    assert.equal(result.hashed, true);
    assert.match(readFileSync(file, 'utf8'), /^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /);
    const transport = new SshTransport(t, { client, controlParent: lab.scratch });
    transports.push(transport);
    assert.equal((await transport.run('echo hashed')).stdout, 'hashed\n');
  });

  test('a wrong host key for the address is refused loudly, and trust will not paper over it', async () => {
    const other = scratchFile('other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const file = scratchFile('known_hosts');
    const [type, key] = readFileSync(`${other}.pub`, 'utf8').split(' ');
    writeFileSync(file, `${host(1).address} ${type} ${key}\n`);
    const t = target(host(1), { knownHostsFile: file });
    const error = await rejectsWith(open(t).run('echo never'), 'SSH_HOST_KEY_CHANGED');
    assert.match(error.message, new RegExp(`host-1 .*${file}`));
    assert.match(error.sshMessage ?? '', /REMOTE HOST IDENTIFICATION HAS CHANGED/);
    await rejectsWith(trustHost(t, file, { client: CLIENT }), 'SSH_HOST_KEY_CHANGED');
    assert.equal(readFileSync(file, 'utf8').split('\n').length, 2, 'known_hosts left as it was');
  });

  test('an unreachable host fails within the connect timeout, naming the host and ssh’s reason', async () => {
    const h = host(3);
    lab.setLinkDown(h);
    try {
      const started = Date.now();
      const error = await rejectsWith(open(target(h)).run('true'), 'SSH_HOST_UNREACHABLE');
      assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms`);
      assert.equal(error.kind, 'unavailable');
      assert.match(error.message, /host-3 \(root@10\.\d+\.3\.2:22\): .*(timed out|No route to host)/);
    } finally {
      lab.setLinkUp(h);
    }
    const refused = await rejectsWith(open(target(h, { port: 2222 })).run('true'), 'SSH_HOST_UNREACHABLE');
    assert.match(refused.message, /host-3 .*connect to host 10\.\d+\.3\.2 port 2222: Connection refused/);
    assert.equal(
      (await open(target(h)).run('echo back')).stdout,
      'back\n',
      'the host is back once its link is',
    );
  });

  test('a host cut off mid-deploy fails within the keepalive bound, and reconnects once back', async () => {
    const h = host(3);
    const client = { ...CLIENT, serverAliveIntervalSeconds: 1, serverAliveCountMax: 2 };
    const transport = new SshTransport(target(h), { client, controlParent: lab.scratch });
    transports.push(transport);
    await transport.run('true');
    const logins = lab.acceptedConnections(h);
    lab.setLinkDown(h);
    try {
      const started = Date.now();
      // The master dies of missed keepalives; ssh then tries a fresh connection, which fails too.
      const error = await rejectsWith(
        transport.run('echo lost', { timeoutMs: 15_000 }),
        'SSH_HOST_UNREACHABLE',
      );
      assert.ok(Date.now() - started < 8000, `noticed after ${Date.now() - started} ms`);
      assert.match(error.message, /host-3 .*(No route to host|timed out)/);
    } finally {
      lab.setLinkUp(h);
    }
    assert.equal((await transport.run('echo again')).stdout, 'again\n');
    assert.equal(lab.acceptedConnections(h), logins + 1, 'one new connection after the cut');
  });

  test('a login with a key the host does not accept is an authentication failure', async () => {
    const stranger = scratchFile('stranger_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const error = await rejectsWith(
      open(target(host(1), { identityFile: stranger })).connect(),
      'SSH_AUTH_FAILED',
    );
    assert.match(error.message, /host-1 .*Permission denied \(publickey\)/);
  });

  test('a failing remote command reports its exit code and stderr', async () => {
    const transport = open(target(host(1)));
    const error = await rejectsWith(
      transport.run('echo partial; echo broken >&2; exit 3'),
      'SSH_COMMAND_FAILED',
    );
    assert.deepEqual(error.remote, { exitCode: 3, stdout: 'partial\n', stderr: 'broken\n' });
    assert.match(error.message, /host-1 .*exit code 3.*broken/);
    const unchecked = await transport.run('exit 4', { check: false });
    assert.equal(unchecked.exitCode, 4);
    const exit255 = await rejectsWith(transport.run('exit 255'), 'SSH_COMMAND_FAILED');
    assert.equal(exit255.remote?.exitCode, 255, 'a remote 255 is not mistaken for a lost connection');
    await rejectsWith(transport.run('sleep 5', { timeoutMs: 300 }), 'SSH_COMMAND_TIMEOUT');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await rejectsWith(transport.run('sleep 5', { signal: controller.signal }), 'SSH_COMMAND_ABORTED');
    assert.equal((await transport.run('echo still')).stdout, 'still\n');
  });

  test("copying a folder lands its files in that host's dir only", async () => {
    const local = scratchFile('app');
    mkdirSync(join(local, 'lib'), { recursive: true });
    writeFileSync(join(local, 'server.js'), 'console.log(1)\n');
    writeFileSync(join(local, 'lib', 'a b.txt'), 'spaced\n');
    const transport = open(target(host(1)));
    await copyDirectory(transport, local, join(host(1).dir, 'app'));
    await uploadFile(transport, join(host(1).dir, 'conf', 'env'), 'A=1\n', { mode: 0o640 });
    assert.equal(readFileSync(join(host(1).dir, 'app', 'server.js'), 'utf8'), 'console.log(1)\n');
    assert.equal(readFileSync(join(host(1).dir, 'app', 'lib', 'a b.txt'), 'utf8'), 'spaced\n');
    assert.equal(readFileSync(join(host(1).dir, 'conf', 'env'), 'utf8'), 'A=1\n');
    assert.equal(statSync(join(host(1).dir, 'conf', 'env')).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(join(host(1).dir, 'conf')), ['env'], 'no upload leftovers');
    for (const h of [host(2), host(3)]) assert.equal(existsSync(join(h.dir, 'app')), false);
    await rejectsWith(
      copyDirectory(transport, join(local, 'missing'), join(host(1).dir, 'x')),
      'SSH_COPY_FAILED',
    );
  });

  test('a host without Node.js has no node on its PATH', async () => {
    const withNode = await open(target(host(1))).run('command -v node', { check: false });
    const without = await open(target(host(3))).run('command -v node', { check: false });
    assert.deepEqual([withNode.exitCode, without.exitCode], [0, 1]);
    assert.equal((await open(target(host(3))).run('echo x | cat')).stdout, 'x\n', 'basic tools still there');
  });

  test('close() leaves no ssh process and no control socket behind', async () => {
    const transport = open(target(host(2)));
    await transport.run('true');
    const dir = transport.controlDir as string;
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.ok(readdirSync(dir).includes('master'));
    const mine = () =>
      execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes(dir));
    assert.equal(mine().length, 1, 'one master while open');
    await transport.close();
    assert.deepEqual(mine(), []);
    assert.equal(existsSync(dir), false);
    await rejectsWith(transport.run('true'), 'SSH_TRANSPORT_CLOSED');
  });
});
