/**
 * `slipway host trust HOST`: shows the host's key fingerprints, then records exactly those keys.
 * The CLI wires it with its one output module as `write`.
 */
import { type HostKeyScan, hostKeyFingerprints, type TrustResult, trustHost } from './host-keys.js';
import { describeTarget, type SshClientOptions, type SshTarget } from './ssh-target.js';

/** Where the command's lines go (the CLI's output module). */
export type WriteLine = (line: string) => void;

/** Options of the command (`--fingerprint SHA256:...` becomes `expectFingerprint`). */
export interface TrustCommandOptions {
  readonly client?: SshClientOptions | undefined;
  readonly expectFingerprint?: string | undefined;
}

/** The lines shown before recording: one per key, `  ED25519  SHA256:...  (256 bits)`. */
export function fingerprintLines(scan: HostKeyScan): string[] {
  return [
    `Host ${describeTarget(scan.target)} offers ${scan.keys.length} host key${scan.keys.length === 1 ? '' : 's'}:`,
    ...scan.keys.map((key) => `  ${key.label.padEnd(8)} ${key.fingerprint}  (${key.bits} bits)`),
    "Compare them with the host's own: on the host, `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` (and the other types).",
  ];
}

/** The lines saying what was recorded. */
export function trustResultLines(target: SshTarget, result: TrustResult): string[] {
  const how = result.hashed ? 'hashed' : 'not hashed';
  if (result.recorded.length === 0)
    return [`All host keys of ${target.name} were already in ${result.knownHostsFile}; nothing recorded.`];
  const types = result.recorded.map((key) => key.label).join(', ');
  return [
    `Recorded ${result.recorded.length} host key${result.recorded.length === 1 ? '' : 's'} of ${target.name} (${types}) in ${result.knownHostsFile} (${how}).`,
  ];
}

/** Runs `slipway host trust` for one target: prints the fingerprints, records them, prints what it did. */
export async function trustHostCommand(
  target: SshTarget,
  knownHostsFile: string | undefined,
  write: WriteLine,
  options: TrustCommandOptions = {},
): Promise<TrustResult> {
  const scan = await hostKeyFingerprints(target, options.client);
  for (const line of fingerprintLines(scan)) write(line);
  const result = await trustHost(target, knownHostsFile, {
    client: options.client,
    scan,
    expectFingerprint: options.expectFingerprint,
  });
  for (const line of trustResultLines(target, result)) write(line);
  return result;
}
