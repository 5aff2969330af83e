/** Which host to reach and how the OpenSSH client is told to reach it. */
import { SshError } from './errors.js';

/** One remote host as the multi-host config names it. */
export interface SshTarget {
  /** The host's name in Slipway (shown in every message, used by `slipway host trust NAME`). */
  readonly name: string;
  /** Login user; ssh's own choice (~/.ssh/config, then the local user) when unset. */
  readonly user?: string | undefined;
  /** Address or name ssh connects to; may be a `Host` alias of ~/.ssh/config. */
  readonly host: string;
  /** TCP port; ssh's own choice (22 unless ~/.ssh/config says otherwise) when unset. */
  readonly port?: number | undefined;
  /** A known_hosts file to check host keys against instead of the user's own. */
  readonly knownHostsFile?: string | undefined;
  /** A private key to log in with; the agent's and ~/.ssh/config's keys when unset. */
  readonly identityFile?: string | undefined;
}

/** Settings of the ssh client processes, shared by every host of one deploy. */
export interface SshClientOptions {
  /** An ssh config file to read instead of ~/.ssh/config (`-F`); tests pass /dev/null. */
  readonly configFile?: string | undefined;
  /** Seconds to wait for the TCP connection and ssh's banner (ConnectTimeout). Default 10. */
  readonly connectTimeoutSeconds?: number | undefined;
  /** Seconds between keepalives on an open connection (ServerAliveInterval). Default 5. */
  readonly serverAliveIntervalSeconds?: number | undefined;
  /** Keepalives missed before a connection counts as lost (ServerAliveCountMax). Default 3. */
  readonly serverAliveCountMax?: number | undefined;
  /** Seconds an idle master connection outlives its last command (ControlPersist). Default 60. */
  readonly controlPersistSeconds?: number | undefined;
  /** Environment of the ssh processes (HOME, SSH_AUTH_SOCK, PATH). Default this process's. */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** Defaults of `SshClientOptions`. */
export const SSH_DEFAULTS = {
  connectTimeoutSeconds: 10,
  serverAliveIntervalSeconds: 5,
  serverAliveCountMax: 3,
  controlPersistSeconds: 60,
} as const;

// A word ssh would read as an option, or one with spaces, quotes or control characters, is refused:
// it reaches ssh's command line and its config parser.
const SAFE_WORD = /^[A-Za-z0-9_.:%@[\]+-]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
const SAFE_PATH = /^[^\s"'\\\0-\x1f]+$/;

/** Checks a target before any of it reaches ssh's command line; throws `SSH_BAD_TARGET`. */
export function checkTarget(target: SshTarget): void {
  const bad = (why: string): never => {
    throw new SshError('SSH_BAD_TARGET', target.name, `Host ${JSON.stringify(target.name)}: ${why}`);
  };
  if (target.name === '' || !SAFE_WORD.test(target.name) || target.name.startsWith('-'))
    bad('a host name must be letters, digits and . _ - (not starting with -)');
  if (!SAFE_WORD.test(target.host) || target.host.startsWith('-') || target.host.includes('@'))
    bad(`address ${JSON.stringify(target.host)} is not a host name or IP address`);
  if (target.user !== undefined && (!SAFE_WORD.test(target.user) || target.user.startsWith('-')))
    bad(`user ${JSON.stringify(target.user)} is not a valid login name`);
  if (target.port !== undefined && !(Number.isInteger(target.port) && target.port > 0 && target.port < 65536))
    bad(`port ${target.port} is not a TCP port`);
  for (const path of [target.knownHostsFile, target.identityFile])
    if (path !== undefined && !SAFE_PATH.test(path))
      bad(`path ${JSON.stringify(path)} may not hold spaces, quotes or control characters`);
}

/** How a target reads in messages: `web-1 (deploy@10.0.0.5:2222)`. */
export function describeTarget(target: SshTarget): string {
  const user = target.user === undefined ? '' : `${target.user}@`;
  const port = target.port === undefined ? '' : `:${target.port}`;
  return `${target.name} (${user}${target.host}${port})`;
}
