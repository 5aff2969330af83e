/** `slipway host setup HOST`: checks a configured host, installs this Slipway there over SSH, checks it runs, and starts its agent. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package/package-root.js';
import { slipwayVersion } from '../../package/version.js';
import { hostTarget } from '../../platform/remote/open-hosts.js';
import { ensureRemoteAgent, type RemoteAgent } from '../../platform/remote/remote-agent.js';
import { type HostSetupResult, setupHost } from '../../platform/ssh/host-setup.js';
import { type StagedPackage, stagePackage } from '../../platform/ssh/package-revision.js';
import { SshTransport } from '../../platform/ssh/ssh-transport.js';
import type { CommandContext } from '../context.js';
import { loadProject } from '../project.js';
import { sshClientOf } from '../ssh-client.js';
import { hostNamed } from './host.js';

/** Options of `host setup`. */
export interface HostSetupOptions {
  /** The known_hosts file to check the host's key against (default: the one ssh uses). */
  readonly knownHosts?: string;
  /** The private key to log in with (default: ssh's own choice). */
  readonly identity?: string;
}

/** The Node.js versions this package supports (`engines.node` of its package.json). */
function nodeRange(root: string): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  return pkg.engines?.node ?? '>=20';
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function agentLine(agent: RemoteAgent): string {
  switch (agent.status) {
    case 'started':
      return `Started the agent (Slipway ${agent.version}) on the host.`;
    case 'running':
      return `The agent already runs there, Slipway ${agent.version}.`;
    case 'restarted':
      return `Restarted the agent, which ran another install (Slipway ${agent.previousVersion}), with Slipway ${agent.version}.`;
  }
}

function summary(result: HostSetupResult, staged: StagedPackage, agent: RemoteAgent, ms: number): string[] {
  const { ship } = result;
  const files = `${staged.manifest.files.length} files, ${size(staged.bytes)}`;
  return [
    ship.status === 'present'
      ? `Revision ${ship.digest.slice(0, 12)} (${files}) already there; sent nothing.`
      : `Shipped revision ${ship.digest.slice(0, 12)} (${files}): sent ${ship.filesSent} files, ${size(ship.bytesSent)} in ${(ship.ms / 1000).toFixed(1)} s.`,
    `Pointed ${result.path} at revisions/${ship.digest.slice(0, 12)}...`,
    `\`node ${result.path}/bin/slipway.js --version\` printed ${result.version}, as expected.`,
    agentLine(agent),
    `Host ${result.host} is set up in ${(ms / 1000).toFixed(1)} s.`,
  ];
}

/** Checks the host, ships Slipway's runtime files, points `current` at them, checks the version; prints what it did. */
export async function hostSetupCommand(
  ctx: CommandContext,
  name: string,
  opts: HostSetupOptions,
): Promise<number> {
  const started = Date.now();
  const { config } = await loadProject(ctx);
  const host = hostNamed(config.hosts, name);
  const target = hostTarget(host, { knownHostsFile: opts.knownHosts, identityFile: opts.identity });
  const root = packageRoot();
  const range = nodeRange(root);
  const version = slipwayVersion();
  const say = (line: string) => ctx.output.line(line);
  const transport = new SshTransport(target, { client: sshClientOf(ctx) });
  let staged: StagedPackage | undefined;
  try {
    const result = await setupHost(transport, {
      dir: host.dir,
      nodeRange: range,
      version,
      source: async (facts) => {
        say(
          `Host ${host.name}: Node.js ${facts.node} (needs ${range}) and the tools shipping needs are there.`,
        );
        staged = await stagePackage(root);
        return staged;
      },
    });
    const done = staged as StagedPackage;
    // The agent runs the Slipway just installed: started when none runs, restarted when it ran another.
    const agent = await ensureRemoteAgent(transport, host);
    for (const line of summary(result, done, agent, Date.now() - started)) say(line);
    ctx.output.data({
      host: result.host,
      node: result.node,
      digest: result.ship.digest,
      status: result.ship.status,
      files: done.manifest.files.length,
      bytes: done.bytes,
      filesSent: result.ship.filesSent,
      bytesSent: result.ship.bytesSent,
      path: result.path,
      revisionPath: result.revisionPath,
      version: result.version,
      agent: {
        status: agent.status,
        version: agent.version,
        ...(agent.previousVersion !== undefined ? { previousVersion: agent.previousVersion } : {}),
      },
      ms: Date.now() - started,
    });
    return 0;
  } finally {
    await transport.close();
    await staged?.remove();
  }
}
