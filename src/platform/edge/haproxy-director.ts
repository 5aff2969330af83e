// HAProxy as a traffic director: Slipway writes an haproxy.cfg into a private folder, runs Debian's
// `haproxy` in master-worker mode with its master CLI on a unix socket there, and drives the worker
// through the runtime API: `set weight` for shares, `set server ... state` for drain and down,
// `show stat` for counters. New regions or upstreams rewrite the file and reload the master, which
// starts a new worker and lets the old one finish the requests it has.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { killProcessGroup } from '../../process/process-group.js';
import { spawnProcessGroup } from '../../process/spawn-process-group.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tightenSync } from '../../state-files/private-modes.js';
import {
  type DirectorStatus,
  type EntryPoint,
  type RegionBackend,
  type RegionState,
  type TrafficDirector,
  TrafficDirectorError,
} from '../traffic-director.js';
import {
  masterCommand,
  type ProcTable,
  parseShowProc,
  parseShowStat,
  workerCommands,
} from './haproxy-cli.js';
import { BACKEND, renderHaproxyConfig } from './haproxy-config.js';
import { haproxyWeights, serverName } from './haproxy-weights.js';
import {
  EMPTY_MODEL,
  type ModelRegion,
  type RegionModel,
  withBackends,
  withState,
  withWeights,
} from './region-model.js';

/** Where HAProxy listens and where its files go. */
export interface HaproxyDirectorOptions {
  /** The folder that gets a private (0700) folder holding haproxy.cfg and the master CLI socket. */
  readonly stateDir: string;
  /** Interface to bind; default 127.0.0.1. */
  readonly host?: string;
  /** Port to bind; 0 (the default) takes one that is free now. */
  readonly port?: number;
  /** The haproxy program; default `haproxy` on PATH. */
  readonly command?: string;
  /** How long HAProxy may take to start or reload; default 10 s. */
  readonly startTimeoutMs?: number;
  /** Upstream idle time before 504; default 60 s. */
  readonly serverTimeoutMs?: number;
}

const RUNTIME_STATE: Readonly<Record<RegionState, string>> = {
  ready: 'ready',
  drain: 'drain',
  down: 'maint',
};
const STDERR_TAIL = 4000;

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Paths that go unquoted into haproxy.cfg and the `-S` bind options. */
function checkPath(path: string): void {
  if (!/^[A-Za-z0-9_./-]+$/.test(path)) {
    throw new TrafficDirectorError(
      'invalid_options',
      `stateDir must be a plain path (letters, digits, _ . / -), got ${path}`,
    );
  }
}

/** Starts HAProxy on the entry point; it answers 503 until regions and weights are set. */
export async function startHaproxyDirector(options: HaproxyDirectorOptions): Promise<TrafficDirector> {
  checkPath(options.stateDir);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TrafficDirectorError('invalid_options', `port must be an integer from 0 to 65535, got ${port}`);
  }
  const dir = await mkdtemp(join(options.stateDir, 'edge-haproxy-'));
  tightenSync(dir, PRIVATE_DIR_MODE);
  const entryPoint = { host, port: port === 0 ? await freePort(host) : port };
  const director = new HaproxyDirector(dir, entryPoint, options);
  try {
    await director.start(options.command ?? 'haproxy');
  } catch (error) {
    await director.close();
    throw error;
  }
  return director;
}

class HaproxyDirector implements TrafficDirector {
  readonly kind = 'haproxy';
  readonly #dir: string;
  readonly #cfg: string;
  readonly #socket: string;
  readonly #entryPoint: EntryPoint;
  readonly #startTimeoutMs: number;
  readonly #serverTimeoutMs: number;
  #model: RegionModel = EMPTY_MODEL;
  #pid: number | undefined;
  #stderr = '';
  #exited = false;
  /** Operations run one at a time: each reads the model the previous one left. */
  #queue: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(dir: string, entryPoint: EntryPoint, options: HaproxyDirectorOptions) {
    this.#dir = dir;
    this.#cfg = join(dir, 'haproxy.cfg');
    this.#socket = join(dir, 'master.sock');
    this.#entryPoint = entryPoint;
    this.#startTimeoutMs = options.startTimeoutMs ?? 10_000;
    this.#serverTimeoutMs = options.serverTimeoutMs ?? 60_000;
  }

  /** Writes the first config and starts the master; resolves once a worker serves. */
  async start(command: string): Promise<void> {
    await this.#writeConfig(EMPTY_MODEL);
    const spawned = spawnProcessGroup(
      command,
      ['-W', '-db', '-f', this.#cfg, '-S', `${this.#socket},mode,600`],
      {
        cwd: this.#dir,
        env: { PATH: process.env.PATH },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    if (!spawned.started) {
      const error = await spawned.error;
      throw new TrafficDirectorError('start_failed', `cannot start ${command}: ${error.message}`, {
        cause: error,
      });
    }
    this.#pid = spawned.pid;
    spawned.stderr?.setEncoding('utf8');
    spawned.stderr?.on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-STDERR_TAIL);
    });
    void spawned.exit.then(() => {
      this.#exited = true;
    });
    const deadline = performance.now() + this.#startTimeoutMs;
    while (performance.now() < deadline && !this.#exited) {
      const proc = await this.#procTable().catch(() => undefined);
      if (proc !== undefined && proc.workers.length > 0) return;
      await sleep(25);
    }
    const inUse = /cannot bind socket|Address already in use/i.test(this.#stderr);
    throw new TrafficDirectorError(
      inUse ? 'port_in_use' : 'start_failed',
      `HAProxy did not start on ${this.#entryPoint.host}:${this.#entryPoint.port}: ${this.#stderr.trim() || 'no output'}`,
    );
  }

  setBackends(regions: readonly RegionBackend[]): Promise<void> {
    return this.#serially(async () => {
      const next = withBackends(this.#checkOpen(), regions);
      await this.#reload(next);
      this.#model = next;
    });
  }

  setWeights(weights: Readonly<Record<string, number>>): Promise<void> {
    return this.#serially(async () => {
      const before = this.#checkOpen();
      const next = withWeights(before, weights);
      const old = haproxyWeights(before);
      const changes = [...haproxyWeights(next)].filter(([name, weight]) => old.get(name) !== weight);
      // Raising before lowering: the backend never passes through a moment with no weight at all.
      const lowers = ([name, weight]: [string, number]): number => Number(weight < (old.get(name) ?? 0));
      changes.sort((a, b) => lowers(a) - lowers(b));
      await workerCommands(
        this.#socket,
        changes.map(([name, weight]) => `set weight ${BACKEND}/${name} ${weight}`),
      );
      this.#model = next;
      await this.#writeConfig(next);
    });
  }

  setRegionState(region: string, state: RegionState): Promise<void> {
    return this.#serially(async () => {
      const next = withState(this.#checkOpen(), region, state);
      const target = next.regions.find((r) => r.name === region)!;
      await workerCommands(this.#socket, this.#stateCommands(target));
      this.#model = next;
      await this.#writeConfig(next);
    });
  }

  status(): Promise<DirectorStatus> {
    return this.#serially(async () => {
      const model = this.#checkOpen();
      const stats = parseShowStat(await masterCommand(this.#socket, `@1 show stat ${BACKEND} 4 -1`), BACKEND);
      return {
        entryPoint: this.#entryPoint,
        regions: model.regions.map((region) => {
          const counters = { requests: 0, serverErrors: 0, connectionErrors: 0 };
          region.upstreams.forEach((_, i) => {
            const stat = stats.get(serverName(region.name, i));
            counters.requests += stat?.requests ?? 0;
            counters.serverErrors += stat?.serverErrors ?? 0;
            counters.connectionErrors += stat?.connectionErrors ?? 0;
          });
          return {
            name: region.name,
            upstreams: region.upstreams.map((upstream) => upstream.address),
            weight: region.weight,
            state: region.state,
            counters,
          };
        }),
      };
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#queue.catch(() => {});
      // SIGTERM to the whole group stops the master and every worker, old ones included.
      if (this.#pid !== undefined) await killProcessGroup(this.#pid, 3000);
      await rm(this.#dir, { recursive: true, force: true });
    })();
    return this.#closing;
  }

  #serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation, operation);
    this.#queue = result.catch(() => {});
    return result;
  }

  #checkOpen(): RegionModel {
    if (this.#closing) throw new TrafficDirectorError('closed', 'the traffic director is closed');
    if (this.#exited) {
      throw new TrafficDirectorError(
        'director_unavailable',
        `HAProxy exited: ${this.#stderr.trim() || 'no output'}`,
      );
    }
    return this.#model;
  }

  #stateCommands(region: ModelRegion): string[] {
    return region.upstreams.map(
      (_, i) => `set server ${BACKEND}/${serverName(region.name, i)} state ${RUNTIME_STATE[region.state]}`,
    );
  }

  async #procTable(): Promise<ProcTable> {
    const proc = parseShowProc(await masterCommand(this.#socket, 'show proc', 2000));
    if (proc === undefined)
      throw new TrafficDirectorError('director_unavailable', 'HAProxy master is not ready');
    return proc;
  }

  async #writeConfig(model: RegionModel): Promise<void> {
    const text = renderHaproxyConfig({
      entryPoint: this.#entryPoint,
      model,
      serverTimeoutMs: this.#serverTimeoutMs,
    });
    const temp = `${this.#cfg}.new`;
    await writeFile(temp, text, { mode: PRIVATE_FILE_MODE });
    await rename(temp, this.#cfg);
  }

  /** Applies `next` by a master reload; on a failed reload the old worker and file stay. */
  async #reload(next: RegionModel): Promise<void> {
    const before = await this.#procTable();
    await this.#writeConfig(next);
    // The master closes the connection as it re-executes itself; the answer says nothing.
    await masterCommand(this.#socket, 'reload').catch(() => '');
    const deadline = performance.now() + this.#startTimeoutMs;
    while (performance.now() < deadline && !this.#exited) {
      await sleep(25);
      const proc = await this.#procTable().catch(() => undefined);
      if (proc === undefined) continue;
      if (proc.failedReloads > before.failedReloads) {
        await this.#writeConfig(this.#model);
        throw new TrafficDirectorError(
          'command_failed',
          `HAProxy refused the new regions: ${this.#stderr.trim()}`,
        );
      }
      if (proc.workers.length > 0 && proc.workers.every((pid) => !before.workers.includes(pid))) {
        // Drained servers start in maintenance (see haproxy-config.ts) and turn to drain now.
        await workerCommands(
          this.#socket,
          next.regions
            .filter((region) => region.state === 'drain')
            .flatMap((region) => this.#stateCommands(region)),
        );
        return;
      }
    }
    throw new TrafficDirectorError('director_unavailable', `HAProxy did not reload: ${this.#stderr.trim()}`);
  }
}
