/**
 * Namespace hosts (test/helpers/namespace-hosts.ts) with this Slipway installed the way
 * `slipway host setup` installs it (setupHost, shipping the built dist/), for the remote platform's tests.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedHost } from '../../src/config/resolved.js';
import { HostPlatform, type HostPlatformOptions } from '../../src/platform/remote/host-platform.js';
import { setupHost } from '../../src/platform/ssh/host-setup.js';
import { stagePackage } from '../../src/platform/ssh/package-revision.js';
import type { SshClientOptions } from '../../src/platform/ssh/ssh-target.js';
import { SshTransport } from '../../src/platform/ssh/ssh-transport.js';
import type { NamespaceHost, NamespaceHosts } from '../helpers/namespace-hosts.js';
import { ROOT } from './helpers.js';

/** Slipway's version, as `slipway --version` prints it. */
export const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

/** ssh settings of the tests: no ~/.ssh/config, short connect timeouts. */
export const CLIENT: SshClientOptions = { configFile: '/dev/null', connectTimeoutSeconds: 2 };

/** Fails early when dist/ is not built (setup ships it). */
export function assertBuilt(): void {
  assert.ok(
    existsSync(join(ROOT, 'dist', 'bundle', 'main.js')),
    'dist/ is not built: run npm run build first',
  );
}

/** Writes a known_hosts file trusting every host of the lab; returns its path. */
export function trustAll(lab: NamespaceHosts): string {
  const file = join(lab.scratch, 'known_hosts');
  writeFileSync(file, lab.hosts.map((h) => lab.knownHostsLines(h)).join(''));
  return file;
}

/** The host as slipway.yaml would resolve it, its folder being the namespace host's own. */
export function resolvedHost(host: NamespaceHost): ResolvedHost {
  return {
    name: host.name,
    address: { user: 'root', host: host.address, port: 22 },
    region: 'test-1',
    dir: host.dir,
    path: ['hosts', host.name],
  };
}

/** A transport to the host (closed by the caller). */
export function transportTo(lab: NamespaceHosts, host: NamespaceHost, knownHosts: string): SshTransport {
  return new SshTransport(
    { ...host.target, knownHostsFile: knownHosts, identityFile: lab.clientKey },
    { client: CLIENT, controlParent: lab.scratch },
  );
}

/** Installs this Slipway on the host as `slipway host setup` does. */
export async function installSlipway(transport: SshTransport, host: NamespaceHost): Promise<void> {
  let staged: Awaited<ReturnType<typeof stagePackage>> | undefined;
  try {
    await setupHost(transport, {
      dir: host.dir,
      nodeRange: '>=20',
      version: VERSION,
      source: async () => {
        staged = await stagePackage(ROOT);
        return staged;
      },
    });
  } finally {
    await staged?.remove();
  }
}

/** A HostPlatform on the host over its own transport. */
export function hostPlatform(
  lab: NamespaceHosts,
  host: NamespaceHost,
  knownHosts: string,
  localStateDir: string,
  extra: Partial<HostPlatformOptions> = {},
): HostPlatform {
  return new HostPlatform({
    host: resolvedHost(host),
    transport: transportTo(lab, host, knownHosts),
    localStateDir,
    agent: { startTimeoutMs: 20_000 },
    ...extra,
  });
}
