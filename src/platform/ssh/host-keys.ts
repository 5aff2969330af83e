/**
 * Trusting a host: its keys are fetched with ssh-keyscan, shown with their SHA256 fingerprints
 * (ssh-keygen -l), and appended to known_hosts, hashed or not as the user's ssh config says.
 * Nothing here ever lets ssh itself accept a key.
 */
import { access, appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../state-files/private-modes.js';
import { sshLastWords } from './classify-failure.js';
import { SshError } from './errors.js';
import {
  type KeygenFingerprint,
  knownHostsLine,
  knownHostsName,
  type PublicHostKey,
  parseFingerprints,
  parseHostKeyLines,
  sameKey,
} from './known-hosts.js';
import { runProgram } from './run-program.js';
import { sshResolveArgs } from './ssh-args.js';
import {
  checkTarget,
  describeTarget,
  SSH_DEFAULTS,
  type SshClientOptions,
  type SshTarget,
} from './ssh-target.js';
import { clientMissing } from './ssh-transport.js';

/** A host key with the fingerprint to compare against the host's own. */
export interface HostKey extends PublicHostKey, KeygenFingerprint {}

/** What a host offered: the name known_hosts records it under and each of its keys. */
export interface HostKeyScan {
  readonly target: SshTarget;
  /** `host`, `[host]:port` or a HostKeyAlias: what ssh looks up in known_hosts. */
  readonly knownHostsName: string;
  readonly keys: readonly HostKey[];
}

/** What `trustHost` wrote. */
export interface TrustResult {
  readonly knownHostsFile: string;
  /** Whether names were hashed (HashKnownHosts of the user's ssh config). */
  readonly hashed: boolean;
  /** Keys appended now. */
  readonly recorded: readonly HostKey[];
  /** Keys that were already there. */
  readonly alreadyKnown: readonly HostKey[];
}

/** The settings ssh resolves for a target after ~/.ssh/config (`ssh -G`). */
interface Resolved {
  readonly hostname: string;
  readonly port: number;
  readonly hashKnownHosts: boolean;
  readonly userKnownHostsFile: string | undefined;
  readonly hostKeyAlias: string | undefined;
}

async function resolveTarget(target: SshTarget, client: SshClientOptions): Promise<Resolved> {
  const env = client.env ?? process.env;
  const result = await runProgram('ssh', sshResolveArgs(target, client), { env, timeoutMs: 10_000 });
  if (result.status === 'not_started') throw clientMissing(target, result.error);
  if (result.status !== 'exited' || result.code !== 0)
    throw new SshError(
      'SSH_FAILED',
      target.name,
      `Cannot read the ssh settings of ${describeTarget(target)}: ${sshLastWords(result.status === 'exited' ? result.stderr : '')}`,
    );
  const settings = new Map<string, string>();
  for (const line of result.stdout.toString('utf8').split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0 && !settings.has(line.slice(0, space)))
      settings.set(line.slice(0, space), line.slice(space + 1));
  }
  return {
    hostname: settings.get('hostname') ?? target.host,
    port: Number(settings.get('port') ?? target.port ?? 22),
    hashKnownHosts: settings.get('hashknownhosts') === 'yes',
    userKnownHostsFile: settings.get('userknownhostsfile')?.split(' ')[0],
    hostKeyAlias: settings.get('hostkeyalias'),
  };
}

/** Fetches the host's keys and their SHA256 fingerprints, to show before recording any of them. */
export async function hostKeyFingerprints(
  target: SshTarget,
  client: SshClientOptions = {},
): Promise<HostKeyScan> {
  checkTarget(target);
  const resolved = await resolveTarget(target, client);
  const env = client.env ?? process.env;
  const timeout = client.connectTimeoutSeconds ?? SSH_DEFAULTS.connectTimeoutSeconds;
  const scan = await runProgram(
    'ssh-keyscan',
    ['-T', String(timeout), '-p', String(resolved.port), '--', resolved.hostname],
    { env, timeoutMs: (timeout * 2 + 10) * 1000 },
  );
  if (scan.status === 'not_started') throw clientMissing(target, scan.error);
  const keys = scan.status === 'exited' ? parseHostKeyLines(scan.stdout.toString('utf8')) : [];
  if (keys.length === 0) {
    const said = sshLastWords(scan.status === 'exited' ? scan.stderr : '') || 'no answer';
    throw new SshError(
      'SSH_HOST_UNREACHABLE',
      target.name,
      `Cannot reach host ${describeTarget(target)} to read its host keys: ${said}`,
      { sshMessage: said },
    );
  }
  const name = knownHostsName(resolved.hostname, resolved.port, resolved.hostKeyAlias);
  const lines = keys.map((key) => `${name} ${key.type} ${key.key}\n`).join('');
  const keygen = await runProgram('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], {
    env,
    stdin: lines,
    timeoutMs: 10_000,
  });
  const prints = keygen.status === 'exited' ? parseFingerprints(keygen.stdout.toString('utf8')) : [];
  if (prints.length !== keys.length)
    throw new SshError(
      'SSH_FAILED',
      target.name,
      `ssh-keygen could not fingerprint the host keys of ${describeTarget(target)}`,
    );
  return {
    target,
    knownHostsName: name,
    keys: keys.map((key, i) => ({ ...key, ...(prints[i] as KeygenFingerprint) })),
  };
}

/** Keys known_hosts already holds for `name` (hashed or not), through `ssh-keygen -F`. */
async function recordedKeys(name: string, file: string, env: NodeJS.ProcessEnv): Promise<PublicHostKey[]> {
  try {
    await access(file);
  } catch {
    return [];
  }
  const found = await runProgram('ssh-keygen', ['-F', name, '-f', file], { env, timeoutMs: 10_000 });
  return found.status === 'exited' && found.code === 0
    ? parseHostKeyLines(found.stdout.toString('utf8'))
    : [];
}

/** Options of `trustHost`. */
export interface TrustOptions {
  readonly client?: SshClientOptions | undefined;
  /** The scan shown to the user, so exactly those keys are recorded; scanned anew when unset. */
  readonly scan?: HostKeyScan | undefined;
  /** A fingerprint (`SHA256:...`) the user got from the host out of band: refuse unless one key has it. */
  readonly expectFingerprint?: string | undefined;
}

/**
 * Records the host's keys in `knownHostsFile` (target.knownHostsFile, else the user's own known_hosts),
 * every key type the host offers. Refuses (`SSH_HOST_KEY_CHANGED`) when known_hosts already holds
 * other keys for the host and none of the offered ones: that is a changed key, never silently trusted.
 */
export async function trustHost(
  target: SshTarget,
  knownHostsFile?: string | undefined,
  options: TrustOptions = {},
): Promise<TrustResult> {
  checkTarget(target);
  const client = options.client ?? {};
  const env = client.env ?? process.env;
  const resolved = await resolveTarget(target, client);
  const file = knownHostsFile ?? target.knownHostsFile ?? resolved.userKnownHostsFile;
  if (file === undefined)
    throw new SshError('SSH_FAILED', target.name, `No known_hosts file to record ${target.name} in`);
  const scan = options.scan ?? (await hostKeyFingerprints(target, client));
  const expected = options.expectFingerprint;
  if (expected !== undefined && !scan.keys.some((key) => key.fingerprint === expected))
    throw new SshError(
      'SSH_HOST_KEY_MISMATCH',
      target.name,
      `Host ${describeTarget(target)} offers no key with fingerprint ${expected} (it offers ${scan.keys.map((k) => k.fingerprint).join(', ')}); nothing recorded.`,
    );
  const existing = await recordedKeys(scan.knownHostsName, file, env);
  const alreadyKnown = scan.keys.filter((key) => existing.some((old) => sameKey(old, key)));
  if (existing.length > 0 && alreadyKnown.length === 0)
    throw new SshError(
      'SSH_HOST_KEY_CHANGED',
      target.name,
      `Refusing to trust ${describeTarget(target)}: ${file} already holds a different key for ${scan.knownHostsName}. ` +
        `If the host was reinstalled on purpose, remove the old key first (ssh-keygen -R '${scan.knownHostsName}' -f ${file}).`,
    );
  const recorded = scan.keys.filter((key) => !alreadyKnown.includes(key));
  if (recorded.length > 0) {
    await mkdir(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    const before = await readFile(file, 'utf8').catch(() => '');
    const lead = before === '' || before.endsWith('\n') ? '' : '\n';
    const lines = recorded.map((key) => knownHostsLine(scan.knownHostsName, key, resolved.hashKnownHosts));
    await appendFile(file, `${lead}${lines.join('\n')}\n`, { mode: PRIVATE_FILE_MODE });
  }
  return { knownHostsFile: file, hashed: resolved.hashKnownHosts, recorded, alreadyKnown };
}
