/** One SshTransport and one HostPlatform per configured host. */
import type { ResolvedHost } from '../../config/resolved.js';
import type { ShipResult } from '../ssh/ship-revision.js';
import type { SshClientOptions, SshTarget } from '../ssh/ssh-target.js';
import { SshTransport } from '../ssh/ssh-transport.js';
import { HostPlatform } from './host-platform.js';
import type { RemoteAgentOptions } from './remote-agent.js';

/** How to reach the hosts. */
export interface OpenHostsOptions {
  /** Where revisions are built before they are shipped (the project's `.slipway`). */
  readonly localStateDir: string;
  /** The known_hosts file to check host keys against (default: the one ssh uses). */
  readonly knownHostsFile?: string | undefined;
  /** The private key to log in with (default: ssh's own choice). */
  readonly identityFile?: string | undefined;
  readonly client?: SshClientOptions | undefined;
  /** Where the transports' private control folders are made (default os.tmpdir()). */
  readonly controlParent?: string | undefined;
  readonly agent?: RemoteAgentOptions | undefined;
  readonly onShip?: ((result: ShipResult) => void) | undefined;
}

/** The SSH target of a configured host. */
export function hostTarget(
  host: ResolvedHost,
  keys: Pick<OpenHostsOptions, 'knownHostsFile' | 'identityFile'> = {},
): SshTarget {
  return {
    name: host.name,
    host: host.address.host,
    ...(host.address.user !== undefined ? { user: host.address.user } : {}),
    ...(host.address.port !== undefined ? { port: host.address.port } : {}),
    ...(keys.knownHostsFile !== undefined ? { knownHostsFile: keys.knownHostsFile } : {}),
    ...(keys.identityFile !== undefined ? { identityFile: keys.identityFile } : {}),
  };
}

/** A platform per host, in the order given; nothing is connected until used (or `connect()`). */
export function openHosts(hosts: readonly ResolvedHost[], options: OpenHostsOptions): HostPlatform[] {
  return hosts.map(
    (host) =>
      new HostPlatform({
        host,
        transport: new SshTransport(hostTarget(host, options), {
          client: options.client,
          controlParent: options.controlParent,
        }),
        localStateDir: options.localStateDir,
        ...(options.agent !== undefined ? { agent: options.agent } : {}),
        ...(options.onShip !== undefined ? { onShip: options.onShip } : {}),
      }),
  );
}

/** Closes every host's connection (the hosts' agents keep running). */
export async function closeHosts(platforms: readonly HostPlatform[]): Promise<void> {
  await Promise.allSettled(platforms.map((p) => p.close()));
}
