// Per-instance upstream state that outlives route tables: the pool of keep-alive connections, the
// count of requests in flight (for least-outstanding picks and draining) and idle waiters.
import { performance } from 'node:perf_hooks';
import type { RouteInstance } from './route-table.js';
import { type ConnectionOwner, UpstreamConnection } from './upstream-connection.js';

// Node servers close idle keep-alive connections after 5 s. Closing ours well before (at most
// idle + sweep interval) avoids sending a request on a socket the server is closing. A
// `Keep-Alive: timeout=N` response header shortens or lengthens it.
const DEFAULT_IDLE_MS = 3000;
const HINT_MARGIN_MS = 1500;
const SWEEP_INTERVAL_MS = 500;

/** One upstream instance: its connection pool and the requests in flight to it. */
export class Upstream implements ConnectionOwner {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** Requests and tunnels currently in flight. */
  inflight = 0;
  /** Out of the table: gets no new requests; its pool is closed once idle. */
  retired = false;
  /** How long a pooled connection may stay idle (0: do not pool). */
  idleMs = DEFAULT_IDLE_MS;
  readonly #timeoutMs: number;
  readonly #idle: UpstreamConnection[] = [];
  #sweeper: NodeJS.Timeout | undefined;
  #keepAliveHint: string | undefined;
  #waiters: (() => void)[] = [];
  readonly #onIdleRetired: (upstream: Upstream) => void;

  constructor(instance: RouteInstance, timeoutMs: number, onIdleRetired: (upstream: Upstream) => void) {
    this.id = instance.id;
    this.host = instance.host;
    this.port = instance.port;
    this.#timeoutMs = timeoutMs;
    this.#onIdleRetired = onIdleRetired;
  }

  /** A pooled connection, most recently used first, or a new one. */
  take(): UpstreamConnection {
    const idle = this.#idle;
    while (idle.length > 0) {
      const connection = idle.pop()!;
      if (connection.usable) return connection;
    }
    return new UpstreamConnection(this, this.#timeoutMs);
  }

  /** A new connection, bypassing the pool (a retry after a keep-alive race). */
  connect(): UpstreamConnection {
    return new UpstreamConnection(this, this.#timeoutMs);
  }

  acquire(): void {
    this.inflight++;
  }

  release(): void {
    if (--this.inflight > 0) return;
    this.inflight = 0;
    if (this.#waiters.length > 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    }
    if (this.retired) this.#onIdleRetired(this);
  }

  recycle(connection: UpstreamConnection): void {
    if (this.retired || this.idleMs <= 0) {
      connection.destroy();
      return;
    }
    connection.idleSince = performance.now();
    this.#idle.push(connection);
    this.#sweeper ??= setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS).unref();
  }

  forget(connection: UpstreamConnection): void {
    const at = this.#idle.indexOf(connection);
    if (at !== -1) this.#idle.splice(at, 1);
  }

  /** Closes every idle connection; busy ones close when their exchange ends. */
  closeIdle(): void {
    for (const connection of this.#idle.splice(0)) connection.destroy();
    this.#stopSweeper();
  }

  /** Resolves true once nothing is in flight, false after `timeoutMs`. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.inflight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      this.#waiters.push(wake);
    });
  }

  /** Records the upstream's `Keep-Alive` response header so pooled connections close before the server closes them. */
  noteKeepAlive(value: string): void {
    if (value === this.#keepAliveHint) return;
    this.#keepAliveHint = value;
    const seconds = /(?:^|[\s,])timeout=(\d+)/i.exec(value)?.[1];
    if (seconds !== undefined) this.idleMs = Math.max(0, Number(seconds) * 1000 - HINT_MARGIN_MS);
  }

  sameAddress(instance: RouteInstance): boolean {
    return this.host === instance.host && this.port === instance.port;
  }

  #sweep(): void {
    const idle = this.#idle;
    const oldest = performance.now() - this.idleMs;
    // LIFO reuse keeps the oldest connections at the front.
    let expired = 0;
    while (expired < idle.length && idle[expired]!.idleSince <= oldest) expired++;
    for (const connection of idle.splice(0, expired)) connection.destroy();
    if (idle.length === 0) this.#stopSweeper();
  }

  #stopSweeper(): void {
    if (this.#sweeper === undefined) return;
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}

/** Upstreams by instance id, reconciled with each new route table. */
export class UpstreamPool {
  readonly #byId = new Map<string, Upstream>();
  readonly #timeoutMs: number;
  readonly #onIdleRetired = (upstream: Upstream): void => {
    upstream.closeIdle();
    if (this.#byId.get(upstream.id) === upstream) this.#byId.delete(upstream.id);
  };

  /** `timeoutMs`: upstream socket inactivity allowed during an exchange. */
  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  get(id: string): Upstream | undefined {
    return this.#byId.get(id);
  }

  /** The upstream for `instance`, reusing the current one when the address is unchanged. */
  obtain(instance: RouteInstance): Upstream {
    const current = this.#byId.get(instance.id);
    if (current?.sameAddress(instance)) {
      current.retired = false;
      return current;
    }
    if (current) this.#retire(current);
    const upstream = new Upstream(instance, this.#timeoutMs, this.#onIdleRetired);
    this.#byId.set(instance.id, upstream);
    return upstream;
  }

  /** Retires every upstream not in `keep`: no new requests reach them, and their pools close once idle. */
  retireAllBut(keep: ReadonlySet<Upstream>): void {
    for (const upstream of [...this.#byId.values()]) if (!keep.has(upstream)) this.#retire(upstream);
  }

  /** Closes every pool (router shutdown). */
  destroyAll(): void {
    for (const upstream of this.#byId.values()) {
      upstream.retired = true;
      upstream.closeIdle();
    }
  }

  #retire(upstream: Upstream): void {
    upstream.retired = true;
    if (upstream.inflight === 0) this.#onIdleRetired(upstream);
  }
}
