/**
 * Reads the sockets systemd passes to a socket-activated process (sd_listen_fds(3)): LISTEN_PID,
 * LISTEN_FDS and LISTEN_FDNAMES name the listening sockets at fd 3, 4, ... Pure: it takes the
 * environment and the process id, and never touches a file descriptor.
 */

/** The first descriptor systemd passes (SD_LISTEN_FDS_START). */
export const LISTEN_FDS_START = 3;

/** The variables of the protocol, which a process must not hand on to its children. */
export const LISTEN_ENV_KEYS = ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES'] as const;

/** One passed socket: its descriptor, its name, and the port its name carries (see socketName). */
export interface PassedSocket {
  readonly fd: number;
  readonly name: string;
  readonly port?: number;
}

/** What a process was passed. */
export type ListenFds =
  /** Not socket-activated, or the variables are meant for another process (LISTEN_PID differs). */
  | { readonly status: 'none' }
  | {
      readonly status: 'passed';
      /** In descriptor order. */
      readonly sockets: readonly PassedSocket[];
      /** The first descriptor of each name (a socket unit with several ListenStream= shares one name). */
      readonly byName: ReadonlyMap<string, number>;
      /** The descriptor of each port that a name carries. */
      readonly byPort: ReadonlyMap<number, number>;
    }
  /** The variables are addressed to this process but malformed: nothing can be trusted. */
  | { readonly status: 'invalid'; readonly reason: string };

/** The environment as the reader sees it (process.env fits). */
export type ListenEnv = Readonly<Record<string, string | undefined>>;

const DECIMAL = /^[0-9]+$/;
const PORT_SUFFIX = /-([0-9]{1,5})$/;
/** Names systemd accepts for FileDescriptorName=: printable ASCII without ':' (the list separator). */
const FD_NAME = /^[\x21-\x39\x3b-\x7e]{1,255}$/;

/**
 * The FileDescriptorName= of the socket unit of `port` in environment `env`: `<env>-<port>`, so the
 * reader can find a port's socket by name alone.
 */
export function socketName(env: string, port: number): string {
  const name = `${env}-${port}`;
  if (!FD_NAME.test(name) || !isPort(port)) throw new RangeError(`'${name}' cannot name a socket`);
  return name;
}

/** The port a socket name carries, or undefined for a name that carries none. */
export function portOfSocketName(name: string): number | undefined {
  const match = PORT_SUFFIX.exec(name);
  if (!match) return undefined;
  const port = Number(match[1]);
  return isPort(port) ? port : undefined;
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port > 0 && port <= 65535;
}

/** Parses the protocol's variables for the process `pid`, as sd_listen_fds_with_names(3) does. */
export function readListenFds(env: ListenEnv, pid: number): ListenFds {
  const listenPid = env.LISTEN_PID;
  if (listenPid === undefined || env.LISTEN_FDS === undefined) return { status: 'none' };
  if (!DECIMAL.test(listenPid))
    return { status: 'invalid', reason: `LISTEN_PID is not a pid: '${listenPid}'` };
  // A child that inherited its parent's variables: they describe the parent's descriptors, not ours.
  if (Number(listenPid) !== pid) return { status: 'none' };
  const count = DECIMAL.test(env.LISTEN_FDS) ? Number(env.LISTEN_FDS) : Number.NaN;
  if (!Number.isSafeInteger(count))
    return { status: 'invalid', reason: `LISTEN_FDS is not a count: '${env.LISTEN_FDS}'` };
  if (count === 0) return { status: 'none' };
  const names = env.LISTEN_FDNAMES === undefined ? undefined : env.LISTEN_FDNAMES.split(':');
  if (names !== undefined && names.length !== count)
    return {
      status: 'invalid',
      reason: `LISTEN_FDNAMES has ${names.length} names for ${count} descriptors`,
    };
  const sockets: PassedSocket[] = [];
  const byName = new Map<string, number>();
  const byPort = new Map<number, number>();
  for (let index = 0; index < count; index++) {
    const fd = LISTEN_FDS_START + index;
    // An older systemd sets no LISTEN_FDNAMES; sd_listen_fds_with_names(3) calls such sockets "unknown".
    const name = names?.[index] || 'unknown';
    const port = portOfSocketName(name);
    sockets.push({ fd, name, ...(port !== undefined ? { port } : {}) });
    if (!byName.has(name)) byName.set(name, fd);
    if (port !== undefined && !byPort.has(port)) byPort.set(port, fd);
  }
  return { status: 'passed', sockets, byName, byPort };
}

/** `env` without the protocol's variables: what a socket-activated process passes to the processes it starts. */
export function withoutListenEnv(env: ListenEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !(LISTEN_ENV_KEYS as readonly string[]).includes(key)) out[key] = value;
  }
  return out;
}
