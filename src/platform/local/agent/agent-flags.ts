/**
 * The flags an agent serves: the newest flag set it was given, as a flag engine behind a TCP OFREP
 * listener that the host's applications reach, kept in a private file of the agent's state so a
 * restarted agent serves it again. Publishes are taken one at a time; a set that fails to build, or
 * a port that cannot be bound, changes nothing.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { FlagEngine, type FlagSnapshot } from '../../../flags/flag-engine.js';
import { createOfrepServer } from '../../../flags/ofrep-listener.js';
import { PRIVATE_FILE_MODE } from '../../../state-files/private-modes.js';
import { PlatformError } from '../../errors.js';
import type { FlagServing } from '../../flag-publisher.js';

/** The environment variable OFREP SDKs read their endpoint from (OFREP ADR 0007). */
export const OFREP_ENDPOINT_ENV = 'OFREP_ENDPOINT';

/** What `PUT /v1/flags` answers: the version served (the older one sent is ignored) and where. */
export interface FlagsPublished {
  readonly version: number;
  readonly url: string;
}

/** What `GET /v1/flags` answers: version 0 and no url when no set was ever given. */
export interface FlagsStatus {
  readonly version: number;
  readonly url?: string;
  readonly digest?: string;
  /** Why the set is not served (its port was taken when the agent started again). */
  readonly error?: string;
}

/** The flag file: the set and where it is served (`port` is the one bound, `serving` the one asked). */
interface SavedFlags {
  readonly format: 1;
  readonly snapshot: FlagSnapshot;
  readonly serving: FlagServing;
  readonly port: number;
}

/** The TCP listener and the address it was asked for. */
interface Listening {
  readonly server: Server;
  readonly serving: FlagServing;
  readonly port: number;
}

/** The flag set an agent serves over OFREP. */
export class AgentFlags {
  private engine: FlagEngine | undefined;
  private serving: FlagServing | undefined;
  private listening: Listening | undefined;
  private error: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Serves the set the flag file holds again; a file that cannot be read or a port that is taken is logged. */
  restore(): Promise<void> {
    return this.serially(async () => {
      const saved = readSavedFlags(this.file, this.log);
      if (!saved) return;
      let engine: FlagEngine;
      try {
        engine = buildEngine(saved.snapshot);
      } catch (error) {
        this.log(`ignoring the flag file ${this.file}: ${(error as Error).message}`);
        return;
      }
      this.engine = engine;
      this.serving = saved.serving;
      // The port bound before, so the endpoint instances were given stays right; the one asked when it is gone.
      const again =
        saved.serving.port === 0 && saved.port > 0 ? { ...saved.serving, port: saved.port } : undefined;
      try {
        this.listening = await this.open(again ?? saved.serving, saved.serving, engine).catch(
          (error: unknown) => {
            if (!again) throw error;
            return this.open(saved.serving, saved.serving, engine);
          },
        );
        this.log(`serving flags version ${saved.snapshot.version} on ${urlOf(this.listening)}`);
      } catch (error) {
        this.error = (error as Error).message;
        this.log(`cannot serve flags version ${saved.snapshot.version}: ${this.error}`);
      }
    });
  }

  /**
   * Serves `snapshot` on `serving` unless a newer version is served (then the newer one stays, on
   * its own address). Rejects, changing nothing, when the set does not build or the port is taken.
   */
  publish(snapshot: FlagSnapshot, serving: FlagServing): Promise<FlagsPublished> {
    return this.serially(async () => {
      if (this.closed) throw new PlatformError('AGENT_UNAVAILABLE', 'the agent is stopping');
      const current = this.engine?.snapshot.version;
      const newer = current === undefined || snapshot.version >= current;
      const engine = newer ? buildEngine(snapshot) : (this.engine as FlagEngine);
      const wanted = newer ? serving : (this.serving ?? serving);
      let old = this.listening;
      const listening = old && sameAddress(old, wanted) ? old : await this.move(old, wanted, engine);
      if (old && !old.server.listening) old = undefined;
      try {
        if (newer) this.save(snapshot, wanted, listening.port);
      } catch (error) {
        if (listening !== old) void closeServer(listening.server);
        if (this.listening && !this.listening.server.listening) this.listening = undefined;
        throw error;
      }
      this.engine = engine;
      this.serving = wanted;
      this.listening = listening;
      this.error = undefined;
      if (old && old !== listening) void closeServer(old.server);
      if (newer) this.log(`serving flags version ${snapshot.version} on ${urlOf(listening)}`);
      else this.log(`ignored flags version ${snapshot.version}: version ${current} is served`);
      return { version: engine.snapshot.version, url: urlOf(listening) };
    });
  }

  /** The version served, its OFREP URL and the digest of its document. */
  status(): FlagsStatus {
    if (!this.engine) return { version: 0 };
    return {
      version: this.engine.snapshot.version,
      digest: this.engine.digest,
      ...(this.listening ? { url: urlOf(this.listening) } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
  }

  /** The environment instances get while flags are served: OFREP_ENDPOINT. */
  env(): Readonly<Record<string, string>> {
    return this.listening && this.engine ? { [OFREP_ENDPOINT_ENV]: urlOf(this.listening) } : {};
  }

  /** Closes the listener (the flag file stays for the next agent). */
  close(): Promise<void> {
    this.closed = true;
    return this.serially(async () => {
      if (this.listening) await closeServer(this.listening.server);
      this.listening = undefined;
    });
  }

  /**
   * A listener on `wanted` beside `old`; when `old` holds the same port on another address (moving
   * from 127.0.0.1 to 0.0.0.0), `old` is closed first, and opened again if `wanted` cannot be bound.
   */
  private async move(
    old: Listening | undefined,
    wanted: FlagServing,
    engine: FlagEngine,
  ): Promise<Listening> {
    if (!old || wanted.port !== old.port) return this.open(wanted, wanted, engine);
    await closeServer(old.server);
    try {
      return await this.open(wanted, wanted, engine);
    } catch (error) {
      this.listening = await this.open({ ...old.serving, port: old.port }, old.serving, engine).catch(
        () => undefined,
      );
      throw error;
    }
  }

  /** Runs `work` after every publish before it, so two never bind or write at once. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * A listener on `address` answering from the current engine (`pending` until the one it is
   * opened for is current); a taken port names itself.
   */
  private open(address: FlagServing, asked: FlagServing, pending: FlagEngine): Promise<Listening> {
    const server = createOfrepServer(() => this.engine ?? pending);
    return new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        server.close();
        reject(listenError(address, error));
      });
      server.listen(address.port, address.host, () => {
        server.removeAllListeners('error');
        server.on('error', (error) => this.log(`OFREP listener: ${error.message}`));
        const bound = server.address();
        const port = typeof bound === 'object' && bound ? bound.port : address.port;
        resolve({ server, serving: asked, port });
      });
    });
  }

  /** Writes the flag file atomically (a crash leaves the old or the new file), owner-only. */
  private save(snapshot: FlagSnapshot, serving: FlagServing, port: number): void {
    const saved: SavedFlags = { format: 1, snapshot, serving, port };
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(saved)}\n`, { mode: PRIVATE_FILE_MODE });
    renameSync(tmp, this.file);
  }
}

/**
 * The flag engine of `snapshot`; a set flagd cannot build is a BAD_REQUEST with the reason. The
 * schema was checked where the set was accepted (config load, each change), not on every host.
 */
export function buildEngine(snapshot: FlagSnapshot): FlagEngine {
  try {
    return new FlagEngine(snapshot);
  } catch (error) {
    throw new PlatformError(
      'BAD_REQUEST',
      `flag set version ${snapshot.version} cannot be served: ${reasons(error)}`,
      { cause: error },
    );
  }
}

/** The messages of an error and its causes (flagd-core says what is wrong only in a cause). */
function reasons(error: unknown): string {
  const messages: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (!messages.some((m) => m.includes(e.message))) messages.push(e.message);
  }
  return messages.join(': ');
}

/** The snapshot and address of a `PUT /v1/flags` body; anything malformed is a BAD_REQUEST. */
export function readFlagsRequest(body: unknown): { snapshot: FlagSnapshot; serving: FlagServing } {
  const { snapshot, serving } = (body ?? {}) as { snapshot?: unknown; serving?: unknown };
  if (!isObject(snapshot)) throw new PlatformError('BAD_REQUEST', 'snapshot must be {version, document}');
  const { version, document } = snapshot;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
    throw new PlatformError('BAD_REQUEST', 'snapshot.version must be a whole number, 0 or more');
  if (!isObject(document))
    throw new PlatformError('BAD_REQUEST', 'snapshot.document must be a flagd flag set');
  if (!isObject(serving)) throw new PlatformError('BAD_REQUEST', 'serving must be {host, port}');
  const { host, port } = serving;
  if (typeof host !== 'string' || host === '' || /[\s/[\]]/.test(host))
    throw new PlatformError('BAD_REQUEST', 'serving.host must be an address to listen on, e.g. 127.0.0.1');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535)
    throw new PlatformError('BAD_REQUEST', 'serving.port must be a port number (0 picks one)');
  return {
    snapshot: { version, document: document as unknown as FlagSnapshot['document'] },
    serving: { host, port },
  };
}

/** The saved flag set; undefined when there is none or it cannot be read (reported through `warn`). */
function readSavedFlags(file: string, warn: (line: string) => void): SavedFlags | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedFlags;
    if (saved.format !== 1) throw new Error('unknown format');
    const { snapshot, serving } = readFlagsRequest(saved);
    return { format: 1, snapshot, serving, port: typeof saved.port === 'number' ? saved.port : 0 };
  } catch (error) {
    warn(`ignoring unreadable flag file ${file}: ${(error as Error).message}`);
    return undefined;
  }
}

/** True when the listener answers on what `wanted` asks for (port 0 takes any port). */
function sameAddress(listening: Listening, wanted: FlagServing): boolean {
  return listening.serving.host === wanted.host && (wanted.port === 0 || wanted.port === listening.port);
}

/** The OFREP base URL of a listener: a wildcard address is reached on loopback. */
function urlOf(listening: Listening): string {
  const host = listening.serving.host;
  const reach = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reach.includes(':') ? `[${reach}]` : reach}:${listening.port}`;
}

function listenError(address: FlagServing, error: NodeJS.ErrnoException): PlatformError {
  if (error.code === 'EADDRINUSE')
    return new PlatformError(
      'PORT_IN_USE',
      `cannot serve flags on ${address.host} port ${address.port}: port ${address.port} is already in use`,
      { cause: error },
    );
  return new PlatformError(
    'BAD_REQUEST',
    `cannot serve flags on ${address.host} port ${address.port}: ${error.message}`,
    { cause: error },
  );
}

/** Stops listening and ends every connection; resolves once the port is free. */
function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
