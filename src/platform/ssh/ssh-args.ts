/**
 * The ssh command lines Slipway runs, built as plain argv arrays: every setting is an explicit `-o`,
 * placed before anything else, because ssh keeps the first value it reads for an option and
 * command-line options win over ~/.ssh/config.
 */
import { SSH_DEFAULTS, type SshClientOptions, type SshTarget } from './ssh-target.js';

/** The master connection a transport shares between its commands. */
export interface ControlSettings {
  /** The control socket, inside a private 0700 folder. */
  readonly path: string;
  readonly persistSeconds: number;
}

/** The options every ssh invocation for `target` gets (no destination, no command). */
export function sshOptions(target: SshTarget, client: SshClientOptions = {}): string[] {
  const args: string[] = [];
  if (client.configFile !== undefined) args.push('-F', client.configFile);
  const o = (option: string) => args.push('-o', option);
  o('BatchMode=yes');
  // Host keys are always checked; trusting a new host is `slipway host trust`, never an ssh prompt.
  o('StrictHostKeyChecking=yes');
  o('UpdateHostKeys=no');
  o('PasswordAuthentication=no');
  o('KbdInteractiveAuthentication=no');
  // Messages are classified by their text: a config's LogLevel=QUIET would hide them.
  o('LogLevel=ERROR');
  o(`ConnectTimeout=${client.connectTimeoutSeconds ?? SSH_DEFAULTS.connectTimeoutSeconds}`);
  o(`ServerAliveInterval=${client.serverAliveIntervalSeconds ?? SSH_DEFAULTS.serverAliveIntervalSeconds}`);
  o(`ServerAliveCountMax=${client.serverAliveCountMax ?? SSH_DEFAULTS.serverAliveCountMax}`);
  if (target.knownHostsFile !== undefined) {
    o(`UserKnownHostsFile=${target.knownHostsFile}`);
    o('GlobalKnownHostsFile=/dev/null');
  }
  if (target.identityFile !== undefined) {
    o(`IdentityFile=${target.identityFile}`);
    o('IdentitiesOnly=yes');
  }
  if (target.user !== undefined) o(`User=${target.user}`);
  if (target.port !== undefined) o(`Port=${target.port}`);
  return args;
}

/** The options of a command that shares (or starts) the master connection. */
export function controlOptions(control: ControlSettings): string[] {
  return [
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPath=${control.path.replaceAll('%', '%%')}`,
    '-o',
    `ControlPersist=${control.persistSeconds}`,
  ];
}

/** `ssh OPTIONS -- HOST COMMAND`: runs `remoteCommand` (one shell string) on the host. */
export function sshRunArgs(
  target: SshTarget,
  client: SshClientOptions,
  control: ControlSettings,
  remoteCommand: string,
): string[] {
  return [...sshOptions(target, client), ...controlOptions(control), '-T', '--', target.host, remoteCommand];
}

/** `ssh OPTIONS -O check|exit -- HOST`: asks the master connection about itself, or to end. */
export function sshControlArgs(
  target: SshTarget,
  client: SshClientOptions,
  control: ControlSettings,
  request: 'check' | 'exit',
): string[] {
  return [...sshOptions(target, client), ...controlOptions(control), '-O', request, '--', target.host];
}

/**
 * `ssh OPTIONS -O forward|cancel -L LOCAL:REMOTE -- HOST`: asks the master connection to forward
 * (or stop forwarding) the local unix socket LOCAL to the unix socket REMOTE on the host.
 */
export function sshForwardArgs(
  target: SshTarget,
  client: SshClientOptions,
  control: ControlSettings,
  request: 'forward' | 'cancel',
  forward: { readonly local: string; readonly remote: string },
): string[] {
  return [
    ...sshOptions(target, client),
    ...controlOptions(control),
    '-O',
    request,
    '-L',
    `${forward.local}:${forward.remote}`,
    '--',
    target.host,
  ];
}

/** `ssh -G`: the settings ssh would use for the target, after the config files. */
export function sshResolveArgs(target: SshTarget, client: SshClientOptions): string[] {
  return [...sshOptions(target, client), '-G', '--', target.host];
}

const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word for a POSIX shell: unchanged when plain, else single-quoted. */
export function quoteShellWord(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The shell string the remote login shell runs for an argv command, or a shell string as is. */
export function remoteCommandLine(command: string | readonly string[]): string {
  return typeof command === 'string' ? command : command.map(quoteShellWord).join(' ');
}
