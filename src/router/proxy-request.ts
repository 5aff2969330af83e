// Forwards one HTTP request to an upstream and streams the response back. The Exchange is the
// connection's sink, and the few client-side listeners are module functions that find their
// Exchange through a symbol, so the hot path allocates no closures. Every fault ends in a
// response or a cut client connection, never a throw.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  type RequestFacts,
  type ResponseFacts,
  readCookie,
  rewriteRequestHeaders,
  rewriteResponseHeaders,
} from './headers.js';
import { recordLatency } from './histogram.js';
import type { Holdable } from './hold-queue.js';
import { pickLeastOutstanding, pickWeightedExcept, selectRevision } from './pick.js';
import type { ProxyContext, Revision } from './proxy-context.js';
import type {
  BodyFraming,
  UpstreamConnection,
  UpstreamFailure,
  UpstreamSink,
} from './upstream-connection.js';
import type { Upstream } from './upstream-pool.js';

const kExchange = Symbol('slipway.exchange');

type ClientRequest = IncomingMessage & { [kExchange]: Exchange };
type ClientResponse = ServerResponse & { [kExchange]: Exchange };

/** One client request on its way through the router. */
class Exchange implements Holdable, RequestFacts, ResponseFacts, UpstreamSink {
  override: string | undefined = undefined;
  cookie: string | undefined = undefined;
  body: BodyFraming = 'none';
  hasHost = false;
  /** The request named its revision (header or cookie): never moved to another one. */
  pinned = false;
  revision: Revision | undefined = undefined;
  upstream: Upstream | undefined = undefined;
  /** The current upstream attempt; undefined once it ended or was abandoned. */
  conn: UpstreamConnection | undefined = undefined;
  setCookie: string | undefined = undefined;
  /** The response's X-Slipway-Flag-Variants, counted per variant when the exchange ends. */
  flagVariants: string | undefined = undefined;
  /** The upstream failed after its response head named flag variants. */
  variantsFailed = false;
  retried = false;
  held = false;
  uploading = false;
  drainListening = false;
  readonly start = performance.now();

  constructor(
    readonly ctx: ProxyContext,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {}

  retry(): boolean {
    if (this.res.destroyed) return true;
    if (!route(this)) return false;
    this.held = false;
    return true;
  }

  expire(): void {
    this.held = false;
    respondText(this, 503, 'no instance available\n');
  }

  onResponseHead(status: number, reason: string, raw: string[]): void {
    const keepAlive = rewriteResponseHeaders(raw, this.revision!.id, this.setCookie, this);
    if (keepAlive !== undefined) this.upstream!.noteKeepAlive(keepAlive);
    try {
      this.res.writeHead(status, reason, raw);
    } catch {
      // A status line or header Node refuses to write: treat it like a broken upstream.
      this.revision!.metrics.connectionErrors++;
      if (this.flagVariants !== undefined) this.variantsFailed = true;
      abandon(this);
      respondText(this, 502, 'bad gateway: invalid upstream response\n');
    }
  }

  onResponseData(chunk: Buffer, last: boolean): void {
    if (last) {
      // The usual small response: head and body leave in one write, and nothing is left to pause.
      this.res.end(chunk);
      return;
    }
    if (this.res.write(chunk)) return;
    this.conn?.pause();
    if (!this.drainListening) {
      this.drainListening = true;
      this.res.on('drain', onClientDrain);
    }
  }

  onResponseEnd(): void {
    this.conn = undefined;
    if (!this.res.writableEnded && !this.res.destroyed) this.res.end();
  }

  onUpstreamDrain(): void {
    if (this.uploading) this.req.resume();
  }

  onUpstreamFailure(failure: UpstreamFailure, reused: boolean): void {
    this.conn = undefined;
    this.revision!.metrics.connectionErrors++;
    if (this.flagVariants !== undefined) this.variantsFailed = true;
    if (this.res.headersSent) {
      this.res.destroy(); // mid-response: cut the client's response so it sees the failure
      return;
    }
    if (failure === 'timeout') {
      respondText(this, 504, 'gateway timeout: upstream did not answer in time\n');
      return;
    }
    const raced = failure === 'reset' && reused;
    const method = this.req.method;
    const idempotent = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
    if (!this.retried && this.body === 'none' && idempotent && (failure === 'connect' || raced)) {
      if (retryElsewhere(this, raced)) return;
    }
    respondText(
      this,
      502,
      failure === 'protocol'
        ? 'bad gateway: invalid upstream response\n'
        : 'bad gateway: upstream connection failed\n',
    );
  }
}

/** Entry point for the server's 'request' event. */
export function handleRequest(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse): void {
  const ex = new Exchange(ctx, req, res);
  rewriteRequestHeaders(req.rawHeaders, req.socket.remoteAddress, ctx.rewrite, ex);
  (res as ClientResponse)[kExchange] = ex;
  res.on('close', onClientClose);
  if (route(ex)) return;
  if (ctx.held.add(ex)) ex.held = true;
  else respondText(ex, 503, 'no instance available\n');
}

/** Sends the request on its way, or answers it; false when it must wait for an instance. */
function route(ex: Exchange): boolean {
  const routes = ex.ctx.routes;
  let override = ex.override;
  let sticky: string | undefined;
  const cookie = ex.cookie;
  if (cookie !== undefined) {
    if (override === undefined) override = readCookie(cookie, 'slipway-revision');
    if (routes.sticky) sticky = readCookie(cookie, 'slipway-sticky');
  }
  if (override === '') override = undefined;
  ex.pinned = override !== undefined;
  const selection = selectRevision(routes, override, sticky, Math.random());
  if (selection.kind === 'unknown') {
    respondText(ex, 404, `unknown revision ${selection.name.slice(0, 200)}\n`);
    return true;
  }
  if (selection.kind === 'unavailable') {
    ex.revision = selection.revision;
    return false;
  }
  const revision = selection.revision;
  ex.setCookie = selection.setSticky ? revision.stickyCookie : undefined;
  forward(ex, revision, pickLeastOutstanding(revision.ready, revision.cursor++)!, false);
  return true;
}

function forward(ex: Exchange, revision: Revision, upstream: Upstream, fresh: boolean): void {
  const req = ex.req;
  ex.revision = revision;
  ex.upstream = upstream;
  const raw = req.rawHeaders;
  let head = `${req.method} ${req.url} HTTP/1.1\r\n`;
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  if (!ex.hasHost) head += `host: ${upstream.host}:${upstream.port}\r\n`;
  const conn = fresh ? upstream.connect() : upstream.take();
  ex.conn = conn;
  conn.start(ex, `${head}\r\n`, req.method === 'HEAD', ex.body);
  if (ex.body !== 'none' && !ex.uploading) {
    ex.uploading = true;
    (req as ClientRequest)[kExchange] = ex;
    req.on('data', onClientData);
    req.on('end', onClientEnd);
  }
}

function onClientData(this: ClientRequest, chunk: Buffer): void {
  const conn = this[kExchange].conn;
  // With no attempt left (it failed or the response already ended) the body is read and dropped.
  if (conn !== undefined && !conn.writeBody(chunk)) this.pause();
}

function onClientEnd(this: ClientRequest): void {
  const ex = this[kExchange];
  ex.uploading = false;
  ex.conn?.endBody();
}

function onClientDrain(this: ClientResponse): void {
  this[kExchange].conn?.resume();
}

/** Second attempt: another instance of the revision, else (unpinned) another revision, else the same instance on a fresh connection. */
function retryElsewhere(ex: Exchange, raced: boolean): boolean {
  const failed = ex.upstream!;
  const routes = ex.ctx.routes;
  const previous = ex.revision!;
  const current = routes.byKey.get(previous.id);
  const same = current?.id === previous.id ? current : undefined;
  let revision = same;
  let upstream = same && pickLeastOutstanding(same.ready, same.cursor++, failed);
  if (upstream === undefined && !ex.pinned) {
    revision = pickWeightedExcept(routes, previous.id, Math.random());
    upstream = revision && pickLeastOutstanding(revision.ready, revision.cursor++);
  }
  let fresh = false;
  if (upstream === undefined && raced && same?.ready.includes(failed)) {
    revision = same;
    upstream = failed;
    fresh = true; // the pool may hold more sockets the server has just closed
  }
  if (revision === undefined || upstream === undefined) return false;
  ex.retried = true;
  if (revision !== previous && routes.sticky && !ex.pinned) ex.setCookie = revision.stickyCookie;
  forward(ex, revision, upstream, fresh);
  return true;
}

/** Drops the current upstream attempt, closing its connection. */
function abandon(ex: Exchange): void {
  const conn = ex.conn;
  if (conn === undefined) return;
  ex.conn = undefined;
  conn.abort();
}

function onClientClose(this: ClientResponse): void {
  const ex = this[kExchange];
  if (ex.held) {
    ex.held = false;
    ex.ctx.held.remove(ex);
  }
  const finished = this.writableFinished;
  if (!finished) abandon(ex);
  const revision = ex.revision;
  if (revision === undefined) return;
  const metrics = revision.metrics;
  metrics.requests++;
  const failed = this.headersSent && this.statusCode >= 500;
  if (failed) metrics.status5xx++;
  const latencyMs = finished ? performance.now() - ex.start : undefined;
  if (latencyMs !== undefined) recordLatency(metrics.latency, latencyMs);
  if (ex.flagVariants !== undefined)
    ex.ctx.variants.record(ex.flagVariants, failed, ex.variantsFailed, latencyMs);
}

/** Answers with a short text body, or cuts the response if it has already started. */
function respondText(ex: Exchange, status: number, body: string): void {
  const res = ex.res;
  if (res.destroyed) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers = [
    'content-type',
    'text/plain; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(body)),
  ];
  headers.push('cache-control', 'no-store');
  if (ex.revision !== undefined) headers.push('x-slipway-revision', ex.revision.id);
  if (status === 503) headers.push('retry-after', '1');
  // An unread or half-sent body leaves the connection in an unknown state: close it after answering.
  if (ex.body !== 'none' && !ex.req.complete) headers.push('connection', 'close');
  res.writeHead(status, headers);
  res.end(body);
}
