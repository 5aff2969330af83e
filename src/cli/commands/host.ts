/** `slipway host trust HOST`: shows a configured host's key fingerprints and records them in known_hosts. */
import type { ResolvedHost } from '../../config/resolved.js';
import { trustHostCommand } from '../../platform/ssh/trust-command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { loadProject } from '../project.js';

/** Options of `host trust`. */
export interface HostTrustOptions {
  /** The known_hosts file to record in (default: the one ssh uses, from `ssh -G`). */
  readonly knownHosts?: string;
  /** Record only if the host offers a key with this fingerprint (`SHA256:...`). */
  readonly fingerprint?: string;
}

/** The configured host named `name`, or a usage error listing the hosts there are. */
export function hostNamed(
  hosts: Readonly<Record<string, ResolvedHost>> | undefined,
  name: string,
): ResolvedHost {
  const host = hosts?.[name];
  if (host) return host;
  const names = Object.keys(hosts ?? {});
  throw new UsageError(
    names.length === 0
      ? `unknown host '${name}': slipway.yaml declares no hosts (add them under \`hosts:\`)`
      : `unknown host '${name}' (hosts in slipway.yaml: ${names.join(', ')})`,
  );
}

/** Scans the host's keys, prints their fingerprints, records them; prints the result (or JSON). */
export async function hostTrustCommand(
  ctx: CommandContext,
  name: string,
  opts: HostTrustOptions,
): Promise<number> {
  const { config } = await loadProject(ctx);
  const host = hostNamed(config.hosts, name);
  const target = {
    name: host.name,
    host: host.address.host,
    ...(host.address.user !== undefined ? { user: host.address.user } : {}),
    ...(host.address.port !== undefined ? { port: host.address.port } : {}),
    ...(opts.knownHosts !== undefined ? { knownHostsFile: opts.knownHosts } : {}),
  };
  const json = ctx.output.json;
  const result = await trustHostCommand(
    target,
    opts.knownHosts,
    json ? () => {} : (line) => ctx.output.line(line),
    {
      expectFingerprint: opts.fingerprint,
    },
  );
  if (json)
    ctx.output.data({
      host: host.name,
      knownHostsFile: result.knownHostsFile,
      hashed: result.hashed,
      recorded: result.recorded.map((key) => ({ type: key.type, fingerprint: key.fingerprint })),
      alreadyKnown: result.alreadyKnown.map((key) => ({ type: key.type, fingerprint: key.fingerprint })),
    });
  return 0;
}
