// The HTTP traffic router: one per service and environment, on a public port. It spreads requests
// over revisions by weight, honours overrides and sticky cookies, holds requests while no instance
// is ready, and swaps its route table atomically so that no request is dropped during a change.
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RevisionMetrics, RouterMetricsSnapshot } from '../platform/traffic-metrics.js';
import { compileTable } from './compiled-table.js';
import { RouterError } from './errors.js';
import { type Holdable, HoldQueue } from './hold-queue.js';
import { copyRevisionMetrics, createRevisionMetrics } from './metrics.js';
import type { OpenTunnel, ProxyContext } from './proxy-context.js';
import { handleRequest } from './proxy-request.js';
import { EMPTY_TABLE, type RouteTable, validateTable } from './route-table.js';
import { type Upstream, UpstreamPool } from './upstream-pool.js';
import { VariantMetrics } from './variant-metrics.js';
import { handleUpgrade } from './websocket.js';

/** Where the router listens and how long it waits. */
export interface RouterOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Port to bind; 0 picks a free one (see listen()). */
  port: number;
  /** How long a request waits for a ready instance before 503; default 10 s, 0 disables holding. */
  holdTimeoutMs?: number;
  /** Most requests held at once; past it, 503 right away. Default 10 000. */
  maxHeld?: number;
  /** Upstream socket idle time before 504 (or a cut response); default 60 s. */
  upstreamTimeoutMs?: number;
  /** Extend incoming X-Forwarded-* instead of replacing them; only behind a trusted proxy. Default false. */
  trustForwardedHeaders?: boolean;
  /** Server errors after listen() resolved (e.g. EMFILE on accept); the router keeps running. */
  onError?: (error: RouterError) => void;
}

function checkDuration(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min) {
    throw new RouterError('invalid_options', `${name} must be a number >= ${min}, got ${value}`);
  }
  return value;
}

function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  (socket as Duplex & { destroySoon?: () => void }).destroySoon?.();
}

/** An HTTP reverse proxy with weighted, atomically replaceable routes and per-revision metrics. */
export class Router {
  readonly #host: string;
  readonly #port: number;
  readonly #server: Server;
  readonly #pool: UpstreamPool;
  readonly #metrics = new Map<string, RevisionMetrics>();
  readonly #ctx: ProxyContext;
  readonly #onError: (error: RouterError) => void;
  #closing: Promise<void> | undefined;
  #accepting = false;

  constructor(options: RouterOptions) {
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      throw new RouterError(
        'invalid_options',
        `port must be an integer from 0 to 65535, got ${options.port}`,
      );
    }
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port;
    const holdTimeoutMs = checkDuration('holdTimeoutMs', options.holdTimeoutMs, 10_000, 0);
    const maxHeld = checkDuration('maxHeld', options.maxHeld, 10_000, 0);
    const trustForwarded = options.trustForwardedHeaders ?? false;
    this.#onError = options.onError ?? (() => {});
    const upstreamTimeoutMs = checkDuration('upstreamTimeoutMs', options.upstreamTimeoutMs, 60_000, 1);
    this.#pool = new UpstreamPool(upstreamTimeoutMs);
    this.#ctx = {
      routes: compileTable(EMPTY_TABLE, (instance) => this.#pool.obtain(instance), createRevisionMetrics),
      held: new HoldQueue<Holdable>(maxHeld, holdTimeoutMs),
      tunnels: new Set<OpenTunnel>(),
      variants: new VariantMetrics(),
      rewrite: { upgrade: false, trustForwarded },
      rewriteUpgrade: { upgrade: true, trustForwarded },
    };
    const ctx = this.#ctx;
    // requestTimeout 0: a slow upload is streamed, not cut; headersTimeout still guards against slowloris.
    this.#server = createServer({ requestTimeout: 0 }, (req: IncomingMessage, res: ServerResponse) =>
      handleRequest(ctx, req, res),
    );
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      handleUpgrade(ctx, req, socket, head),
    );
    this.#server.on('clientError', onClientError);
  }

  /** Starts listening; resolves the bound port, rejects with RouterError `port_in_use` or `listen_failed`. */
  listen(): Promise<number> {
    const server = this.#server;
    if (this.#closing) return Promise.reject(new RouterError('closed', 'the router is closed'));
    if (server.listening)
      return Promise.reject(new RouterError('listen_failed', 'the router is already listening'));
    return new Promise((resolve, reject) => {
      const onListenError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        const inUse = error.code === 'EADDRINUSE';
        reject(
          new RouterError(
            inUse ? 'port_in_use' : 'listen_failed',
            `cannot listen on ${this.#host}:${this.#port}: ${inUse ? 'port already in use' : error.message}`,
            { cause: error },
          ),
        );
      };
      const onListening = (): void => {
        server.off('error', onListenError);
        server.on('error', (error: Error) =>
          this.#onError(
            new RouterError('listen_failed', `router server error: ${error.message}`, { cause: error }),
          ),
        );
        resolve((server.address() as AddressInfo).port);
      };
      server.once('error', onListenError);
      server.once('listening', onListening);
      server.listen(this.#port, this.#host);
    });
  }

  /**
   * Serves a connection accepted elsewhere (a process that owns the listening socket and hands
   * connections over), instead of or besides listening itself.
   */
  accept(socket: Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    if (!this.#accepting && !this.#server.listening) {
      // The http server starts tracking connections (headersTimeout checks, closeAllConnections)
      // on 'listening'; a router that only accepts handed-over connections never listens.
      this.#server.emit('listening');
    }
    this.#accepting = true;
    this.#server.emit('connection', socket);
  }

  /**
   * Replaces the route table in one step: every request routed after this call sees only `table`.
   * Instances that left it (or are not ready) get no new requests but finish those in flight.
   * Throws RouterError `invalid_table` and keeps the current table when `table` is malformed.
   */
  setTable(table: RouteTable): void {
    const problems = validateTable(table);
    if (problems.length > 0) {
      throw new RouterError('invalid_table', `invalid route table: ${problems.join('; ')}`);
    }
    const keep = new Set<Upstream>();
    const routes = compileTable(
      table,
      (instance) => {
        const upstream = this.#pool.obtain(instance);
        keep.add(upstream);
        return upstream;
      },
      (revisionId) => this.#metricsFor(revisionId),
    );
    this.#ctx.routes = routes;
    this.#pool.retireAllBut(keep);
    this.#ctx.held.flush();
  }

  /** The table set last (empty before the first setTable). */
  table(): RouteTable {
    return this.#ctx.routes.source;
  }

  /** Requests and WebSocket tunnels in flight to the instance (0 for an unknown one). */
  inflight(instanceId: string): number {
    return this.#pool.get(instanceId)?.inflight ?? 0;
  }

  /** Resolves true once nothing is in flight to the instance, false after `timeoutMs`. */
  waitIdle(instanceId: string, timeoutMs: number): Promise<boolean> {
    return this.#pool.get(instanceId)?.waitIdle(timeoutMs) ?? Promise.resolve(true);
  }

  /** Cumulative metrics since the router started, per revision and per flag variant (a copy). */
  metrics(): RouterMetricsSnapshot {
    const at = Date.now();
    const revisions = Object.fromEntries([...this.#metrics].map(([id, m]) => [id, copyRevisionMetrics(m)]));
    const variants = this.#ctx.variants.snapshot();
    return variants === undefined ? { at, revisions } : { at, revisions, variants };
  }

  /** Stops listening, answers held requests with 503 and ends every connection. */
  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      const server = this.#server;
      this.#ctx.held.expireAll();
      for (const tunnel of [...this.#ctx.tunnels]) tunnel.destroy();
      if (server.listening) server.close(() => resolve());
      else {
        // Stops the connection checks an accepting-only router started; the server was never bound.
        if (this.#accepting) server.close(() => {});
        resolve();
      }
      server.closeAllConnections();
      this.#pool.destroyAll();
    });
    return this.#closing;
  }

  #metricsFor(revisionId: string): RevisionMetrics {
    let metrics = this.#metrics.get(revisionId);
    if (metrics === undefined) {
      metrics = createRevisionMetrics();
      this.#metrics.set(revisionId, metrics);
    }
    return metrics;
  }
}
