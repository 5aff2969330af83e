// WebSocket (and any HTTP/1.1 Upgrade) pass-through: the handshake is routed like a request, then
// bytes flow through a raw TCP tunnel that counts as in flight to its instance until it closes.
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RequestFacts, readCookie, rewriteRequestHeaders } from './headers.js';
import type { Holdable } from './hold-queue.js';
import { pickLeastOutstanding, selectRevision } from './pick.js';
import type { OpenTunnel, ProxyContext, Revision } from './proxy-context.js';
import type { BodyFraming } from './upstream-connection.js';
import type { Upstream } from './upstream-pool.js';

function ignoreError(): void {}

/** A client socket that asked to upgrade, held, tunnelled or refused. */
class Tunnel implements Holdable, OpenTunnel, RequestFacts {
  override: string | undefined = undefined;
  cookie: string | undefined = undefined;
  body: BodyFraming = 'none';
  hasHost = false;
  #upstreamSocket: Socket | undefined;
  #closed = false;

  constructor(
    readonly ctx: ProxyContext,
    readonly req: IncomingMessage,
    readonly client: Socket,
    readonly head: Buffer,
  ) {}

  retry(): boolean {
    if (this.client.destroyed) return true;
    const routes = this.ctx.routes;
    let override = this.override;
    let sticky: string | undefined;
    if (this.cookie !== undefined) {
      if (override === undefined) override = readCookie(this.cookie, 'slipway-revision');
      if (routes.sticky) sticky = readCookie(this.cookie, 'slipway-sticky');
    }
    if (override === '') override = undefined;
    const selection = selectRevision(routes, override, sticky, Math.random());
    if (selection.kind === 'unknown') {
      this.refuse(404, `unknown revision ${selection.name.slice(0, 200)}\n`);
      return true;
    }
    if (selection.kind === 'unavailable') return false;
    const revision = selection.revision;
    this.#open(revision, pickLeastOutstanding(revision.ready, revision.cursor++)!);
    return true;
  }

  expire(): void {
    this.refuse(503, 'no instance available\n');
  }

  destroy(): void {
    this.client.destroy();
    this.#upstreamSocket?.destroy();
  }

  /** Answers the handshake with an HTTP error and closes the client socket. */
  refuse(status: number, body: string): void {
    const client = this.client;
    if (client.destroyed) return;
    const extra = status === 503 ? 'retry-after: 1\r\n' : '';
    client.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`,
    );
    client.destroySoon();
  }

  #open(revision: Revision, upstream: Upstream): void {
    const { client, ctx, req } = this;
    upstream.acquire();
    ctx.tunnels.add(this);
    const upstreamSocket = connect({ host: upstream.host, port: upstream.port, noDelay: true });
    this.#upstreamSocket = upstreamSocket;
    let connected = false;
    const teardown = (): void => {
      if (this.#closed) return;
      this.#closed = true;
      ctx.tunnels.delete(this);
      client.destroy();
      upstreamSocket.destroy();
      revision.metrics.requests++;
      upstream.release();
    };
    upstreamSocket.on('connect', () => {
      connected = true;
      const raw = req.rawHeaders;
      let head = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
      upstreamSocket.write(`${head}\r\n`);
      if (this.head.length > 0) upstreamSocket.write(this.head);
      upstreamSocket.pipe(client);
      client.pipe(upstreamSocket);
    });
    upstreamSocket.on('error', () => {
      if (connected) return;
      revision.metrics.connectionErrors++;
      revision.metrics.status5xx++;
      this.refuse(502, 'bad gateway: upstream connection failed\n');
    });
    upstreamSocket.on('close', teardown);
    client.on('close', teardown);
  }
}

/** Entry point for the server's 'upgrade' event. */
export function handleUpgrade(ctx: ProxyContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const client = socket as Socket;
  client.on('error', ignoreError);
  const tunnel = new Tunnel(ctx, req, client, head);
  rewriteRequestHeaders(req.rawHeaders, client.remoteAddress, ctx.rewriteUpgrade, tunnel);
  if (tunnel.retry()) return;
  if (ctx.held.add(tunnel)) client.on('close', () => ctx.held.remove(tunnel));
  else tunnel.expire();
}
