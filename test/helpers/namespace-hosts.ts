/**
 * Test hosts as Linux network namespaces: host i is namespace `slw-<id>-<i>`, linked to the root
 * namespace by a veth pair on its own /30 (root side 10.O.i.1, host side 10.O.i.2, O picked at
 * random among unused 10.x ranges; an `unreachable 10.O.0.0/16` route keeps test traffic off the
 * default route), running its own `sshd -D -e` on 10.O.i.2:22 with its own ed25519 host key and one
 * authorized client key (root by key). Namespaces share this machine's filesystem: each host gets a
 * folder of its own, `dir`, which sshd also makes its HOME (so root's ~/.bashrc is not read).
 *
 * A host made with `withoutNode` gets `SetEnv PATH=<host>/bin` in its sshd config, a folder of
 * symbolic links to the basic tools (sh, tar, cat, ...) and no `node`: `command -v node` fails there,
 * though /usr/bin/node still exists by absolute path (a mount namespace would be needed to hide it).
 *
 * Needs root, /usr/sbin/sshd, ssh and iproute2; `namespaceHostsSkip()` is the `skip` option.
 * Everything lives under <tmpdir>/slipway-test-hosts/<id>/ and is removed by `cleanup()` (also at process exit).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SshTarget } from '../../src/platform/ssh/ssh-target.js';
import { IPROUTE2, SSH, SSHD, skipWithout } from './outside-program.js';

/** Where every namespace host keeps its files. */
export const NAMESPACE_HOSTS_ROOT = join(tmpdir(), 'slipway-test-hosts');

/** One test host. */
export interface NamespaceHost {
  /** `host-1`, `host-2`, ...: the Slipway name of the host. */
  readonly name: string;
  readonly namespace: string;
  /** The host's address (the namespace side of its veth). */
  readonly address: string;
  /** The host's own folder (HOME of its ssh sessions): where the feature puts its files. */
  readonly dir: string;
  /** The host's sshd config, host key and log live here. */
  readonly home: string;
  /** The public host key files, one per key type (`ssh-keygen -lf` gives the real fingerprints). */
  readonly hostKeyPubs: readonly string[];
  readonly sshdLog: string;
  /** The target for SshTransport (add a knownHostsFile). */
  readonly target: SshTarget;
  readonly withoutNode: boolean;
}

/** A set of test hosts and the means to break and remove them. */
export interface NamespaceHosts {
  readonly hosts: readonly NamespaceHost[];
  /** The private key every host accepts. */
  readonly clientKey: string;
  /** A scratch folder for the test (known_hosts files, control folders). */
  readonly scratch: string;
  /** The known_hosts lines of `host`'s real keys, as a trusted user would have them. */
  knownHostsLines(host: NamespaceHost): string;
  /** Cuts the host off (its side of the link goes down): packets to it vanish, connects time out. */
  setLinkDown(host: NamespaceHost): void;
  setLinkUp(host: NamespaceHost): void;
  /** Connections sshd accepted (logins), counted from its -e log. */
  acceptedConnections(host: NamespaceHost): number;
  /** Kills every sshd, deletes namespaces, veths, the route and the folders. Safe to call twice. */
  cleanup(): Promise<void>;
}

/** The `skip` option of tests that need namespace hosts (throws under CI when a program is missing or not root). */
export function namespaceHostsSkip(env: NodeJS.ProcessEnv = process.env): false | string {
  const missing = skipWithout(SSHD, env) || skipWithout(SSH, env) || skipWithout(IPROUTE2, env);
  if (missing) return missing;
  if (process.getuid?.() !== 0) {
    if (env.CI === 'true' || env.CI === '1') throw new Error('namespace test hosts need root, and CI is set');
    return 'namespace test hosts need root (ip netns add)';
  }
  return false;
}

function sh(file: string, args: readonly string[]): string {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function quiet(file: string, args: readonly string[]): void {
  try {
    sh(file, args);
  } catch {
    // Cleanup of what may already be gone.
  }
}

/** A 10.O.0.0/16 no interface or route here uses. */
function freeOctet(): number {
  const used = sh('ip', ['-o', '-4', 'addr', 'show']) + sh('ip', ['-4', 'route', 'show', 'table', 'all']);
  for (let attempt = 0; attempt < 50; attempt++) {
    const octet = 100 + Math.floor(Math.random() * 150);
    if (!used.includes(`10.${octet}.`)) return octet;
  }
  throw new Error('no free 10.x.0.0/16 range for namespace hosts');
}

const NODELESS_TOOLS = [
  'sh',
  'bash',
  'cat',
  'tar',
  'mkdir',
  'mv',
  'chmod',
  'rm',
  'ls',
  'env',
  'true',
  'false',
];
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** How to make the hosts; hosts are numbered from 1. */
export interface NamespaceHostsOptions {
  /** Hosts whose PATH has no node. */
  readonly withoutNode?: readonly number[];
  /** Host key types per host (ssh-keygen -t); `['ed25519']` when unset. */
  readonly hostKeyTypes?: Readonly<Record<number, readonly ('ed25519' | 'ecdsa' | 'rsa')[]>>;
}

/** Creates `count` hosts, each with its own sshd, host keys, folder and link. */
export async function createNamespaceHosts(
  count: number,
  options: NamespaceHostsOptions = {},
): Promise<NamespaceHosts> {
  const id = randomBytes(3).toString('hex');
  const root = join(NAMESPACE_HOSTS_ROOT, id);
  const scratch = join(root, 'scratch');
  mkdirSync(scratch, { recursive: true, mode: 0o700 });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const clientKey = join(root, 'client_ed25519');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `slipway-test-${id}`, '-f', clientKey]);
  const octet = freeOctet();
  const range = `10.${octet}.0.0/16`;
  const made = { namespaces: [] as string[], links: [] as string[], route: false };
  const daemons: ChildProcess[] = [];
  const hosts: NamespaceHost[] = [];
  let cleaned = false;
  const cleanupSync = () => {
    if (cleaned) return;
    cleaned = true;
    for (const daemon of daemons) if (daemon.exitCode === null) daemon.kill('SIGKILL');
    for (const ns of made.namespaces) {
      // sshd's per-connection children outlive its listener: end everything inside the namespace.
      let pids: string[] = [];
      try {
        pids = sh('ip', ['netns', 'pids', ns])
          .split(/\s+/)
          .filter((pid) => pid !== '');
      } catch {
        // Namespace already gone.
      }
      for (const pid of pids) quiet('kill', ['-KILL', pid]);
      quiet('ip', ['netns', 'del', ns]);
    }
    for (const link of made.links) quiet('ip', ['link', 'del', link]);
    if (made.route) quiet('ip', ['route', 'del', 'unreachable', range]);
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', cleanupSync);
  const cleanup = async () => {
    process.removeListener('exit', cleanupSync);
    for (const daemon of daemons) if (daemon.exitCode === null) daemon.kill('SIGTERM');
    const deadline = Date.now() + 3000;
    while (daemons.some((d) => d.exitCode === null && d.signalCode === null) && Date.now() < deadline)
      await sleep(20);
    cleanupSync();
  };
  try {
    sh('ip', ['route', 'add', 'unreachable', range]);
    made.route = true;
    for (let i = 1; i <= count; i++) {
      const host = await startHost({ id, root, octet, i, clientKey, made, daemons, options });
      hosts.push(host);
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  const nsLink = (host: NamespaceHost) => `slw${id}${hosts.indexOf(host) + 1}n`;
  return {
    hosts,
    clientKey,
    scratch,
    knownHostsLines: (host) =>
      host.hostKeyPubs
        .map((pub) => {
          const [type, key] = readFileSync(pub, 'utf8').trim().split(/\s+/);
          return `${host.address} ${type} ${key}\n`;
        })
        .join(''),
    setLinkDown: (host) => {
      sh('ip', ['-n', host.namespace, 'link', 'set', nsLink(host), 'down']);
    },
    setLinkUp: (host) => {
      sh('ip', ['-n', host.namespace, 'link', 'set', nsLink(host), 'up']);
      // While the link was down, ARP for the host failed: the kernel keeps that FAILED neighbour entry
      // and answers the next connects with EHOSTUNREACH for a while. Forget it on both sides and wait
      // for the carrier, so the host is reachable when this returns.
      const rootLink = nsLink(host).replace(/n$/, 'r');
      const deadline = Date.now() + 5_000;
      while (!sh('ip', ['link', 'show', rootLink]).includes('LOWER_UP') && Date.now() < deadline)
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      quiet('ip', ['neigh', 'flush', 'dev', rootLink]);
      quiet('ip', ['-n', host.namespace, 'neigh', 'flush', 'dev', nsLink(host)]);
      // Then until sshd takes a TCP connection again (bounded by the deadline).
      const reach = ['1', 'bash', '-c', `exec 3<>/dev/tcp/${host.address}/22`];
      while (spawnSync('timeout', reach).status !== 0 && Date.now() < deadline)
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    },
    acceptedConnections: (host) =>
      readFileSync(host.sshdLog, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('Accepted publickey for')).length,
    cleanup,
  };
}

interface HostPlan {
  readonly id: string;
  readonly root: string;
  readonly octet: number;
  readonly i: number;
  readonly clientKey: string;
  readonly made: { namespaces: string[]; links: string[] };
  readonly daemons: ChildProcess[];
  readonly options: NamespaceHostsOptions;
}

async function startHost(plan: HostPlan): Promise<NamespaceHost> {
  const { id, octet, i } = plan;
  const name = `host-${i}`;
  const namespace = `slw-${id}-${i}`;
  const [rootLink, nsLink] = [`slw${id}${i}r`, `slw${id}${i}n`];
  const address = `10.${octet}.${i}.2`;
  const home = join(plan.root, name);
  const dir = join(home, 'dir');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hostKeys = (plan.options.hostKeyTypes?.[i] ?? ['ed25519']).map((type) => {
    const file = join(home, `ssh_host_${type}_key`);
    sh('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
    return file;
  });
  writeFileSync(join(home, 'authorized_keys'), readFileSync(`${plan.clientKey}.pub`));
  const withoutNode = plan.options.withoutNode?.includes(i) ?? false;
  let path = SYSTEM_PATH;
  if (withoutNode) {
    path = join(home, 'bin');
    mkdirSync(path);
    for (const tool of NODELESS_TOOLS) symlinkSync(`/usr/bin/${tool}`, join(path, tool));
  }
  const config = join(home, 'sshd_config');
  writeFileSync(
    config,
    [
      `ListenAddress ${address}:22`,
      ...hostKeys.map((file) => `HostKey ${file}`),
      'PidFile none',
      `AuthorizedKeysFile ${join(home, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'MaxSessions 32',
      'LogLevel INFO',
      `SetEnv PATH=${path} HOME=${dir}`,
      '',
    ].join('\n'),
  );
  sh('ip', ['netns', 'add', namespace]);
  plan.made.namespaces.push(namespace);
  sh('ip', ['link', 'add', rootLink, 'type', 'veth', 'peer', 'name', nsLink]);
  plan.made.links.push(rootLink);
  sh('ip', ['link', 'set', nsLink, 'netns', namespace]);
  sh('ip', ['addr', 'add', `10.${octet}.${i}.1/30`, 'dev', rootLink]);
  sh('ip', ['link', 'set', rootLink, 'up']);
  sh('ip', ['-n', namespace, 'addr', 'add', `${address}/30`, 'dev', nsLink]);
  sh('ip', ['-n', namespace, 'link', 'set', nsLink, 'up']);
  sh('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
  const sshdLog = join(home, 'sshd.log');
  const log = openSync(sshdLog, 'a');
  const daemon = spawn('ip', ['netns', 'exec', namespace, '/usr/sbin/sshd', '-D', '-e', '-f', config], {
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  daemon.unref();
  daemon.on('error', () => {});
  plan.daemons.push(daemon);
  const deadline = Date.now() + 5000;
  while (!readFileSync(sshdLog, 'utf8').includes('Server listening on')) {
    if (Date.now() > deadline || daemon.exitCode !== null)
      throw new Error(`sshd of ${name} did not start: ${readFileSync(sshdLog, 'utf8')}`);
    await sleep(20);
  }
  return {
    name,
    namespace,
    address,
    dir,
    home,
    hostKeyPubs: hostKeys.map((file) => `${file}.pub`),
    sshdLog,
    target: { name, user: 'root', host: address, port: 22 },
    withoutNode,
  };
}
