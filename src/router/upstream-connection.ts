// One keep-alive HTTP/1.1 connection to an upstream instance, carrying one exchange at a time.
// A lean replacement for http.Agent + ClientRequest on the hot path: the request head is a single
// latin1 write, the response is parsed by ResponseParser and handed to the exchange (the sink)
// without streams or per-request listeners. Every outcome reaches the sink exactly once.
import { connect, type Socket } from 'node:net';
import { ResponseParser } from './response-parser.js';

// Every upstream socket reads into this one buffer (reads are handled synchronously, one at a
// time), which spares Node's 64 KiB allocation per read. Nothing may keep a view of it: the
// parser copies what it keeps and body chunks are copied before they are handed on.
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Why an exchange failed: before connecting, after connecting but before any response byte, mid-response, timeout, or garbage. */
export type UpstreamFailure = 'connect' | 'reset' | 'broken' | 'timeout' | 'protocol';

/** How the request body is framed on the wire. */
export type BodyFraming = 'none' | 'length' | 'chunked';

/** The exchange a connection reports to. */
export interface UpstreamSink {
  onResponseHead(status: number, reason: string, rawHeaders: string[], keepAlive: boolean): void;
  /** `last`: this chunk ends the body; onResponseEnd still follows. */
  onResponseData(chunk: Buffer, last: boolean): void;
  onResponseEnd(): void;
  /** The connection can take more request body after a write returned false. */
  onUpstreamDrain(): void;
  /** `reused`: the connection had completed an earlier exchange (a keep-alive race is possible). */
  onUpstreamFailure(failure: UpstreamFailure, reused: boolean): void;
}

/** What a connection needs from the pool that owns it. */
export interface ConnectionOwner {
  readonly host: string;
  readonly port: number;
  acquire(): void;
  release(): void;
  /** The exchange ended cleanly and the connection can be reused. */
  recycle(connection: UpstreamConnection): void;
  /** The connection closed while idle in the pool. */
  forget(connection: UpstreamConnection): void;
}

/** A pooled upstream connection. */
export class UpstreamConnection {
  readonly #socket: Socket;
  readonly #owner: ConnectionOwner;
  readonly #parser: ResponseParser;
  #sink: UpstreamSink | undefined;
  #active = false;
  #connected = false;
  #reused = false;
  #gotBytes = false;
  #requestDone = false;
  #responseDone = false;
  #keepAlive = true;
  #chunked = false;
  #closed = false;
  readonly #timeoutMs: number;
  /** The upstream timeout runs only while the router waits on the upstream, not on its client. */
  #timing = true;
  /** performance.now() when the connection went back to the pool. */
  idleSince = 0;

  constructor(owner: ConnectionOwner, timeoutMs: number) {
    this.#owner = owner;
    this.#timeoutMs = timeoutMs;
    this.#parser = new ResponseParser({
      onHead: (status, reason, raw, keepAlive) => {
        this.#keepAlive = keepAlive;
        this.#sink?.onResponseHead(status, reason, raw, keepAlive);
      },
      onBody: (chunk, last) => this.#sink?.onResponseData(Buffer.from(chunk), last),
      onComplete: () => {
        this.#responseDone = true;
        this.#sink?.onResponseEnd();
      },
    });
    const socket = connect({
      host: owner.host,
      port: owner.port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (bytes: number) => {
          this.#onData(READ_BUFFER.subarray(0, bytes));
          return true;
        },
      },
    });
    this.#socket = socket;
    socket.setTimeout(timeoutMs);
    socket.on('connect', () => {
      this.#connected = true;
    });
    socket.on('drain', () => this.#sink?.onUpstreamDrain());
    socket.on('end', () => this.#onEnd());
    socket.on('timeout', () => this.#fail('timeout'));
    socket.on('error', () => this.#fail(this.#failureKind()));
    socket.on('close', () => this.#fail(this.#failureKind()));
  }

  /** False once the socket is closing; such a connection must not be reused. */
  get usable(): boolean {
    return !this.#closed && !this.#socket.destroyed && this.#socket.writable;
  }

  /** Sends a request head; a body, if any, follows through writeBody() and endBody(). */
  start(sink: UpstreamSink, head: string, headRequest: boolean, body: BodyFraming): void {
    this.#owner.acquire();
    this.#sink = sink;
    this.#active = true;
    this.#gotBytes = false;
    this.#responseDone = false;
    this.#keepAlive = true;
    this.#requestDone = body === 'none';
    this.#chunked = body === 'chunked';
    this.#parser.expect(headRequest);
    // A slow upload is the client's pace, not an upstream timeout.
    if (!this.#requestDone) this.#time(false);
    this.#socket.write(head, 'latin1');
  }

  /** Writes request body bytes; false means wait for onUpstreamDrain. */
  writeBody(chunk: Buffer): boolean {
    if (!this.#active || chunk.length === 0) return true;
    const socket = this.#socket;
    if (!this.#chunked) return socket.write(chunk);
    socket.cork();
    socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
    socket.write(chunk);
    const more = socket.write('\r\n', 'latin1');
    socket.uncork();
    return more;
  }

  /** The request body is complete. */
  endBody(): void {
    if (!this.#active || this.#requestDone) return;
    this.#requestDone = true;
    this.#time(true);
    if (this.#chunked) this.#socket.write('0\r\n\r\n', 'latin1');
    if (this.#responseDone) this.#settle();
  }

  /** Stops reading the response (the client is slow); the upstream timeout stops too. */
  pause(): void {
    this.#socket.pause();
    this.#time(false);
  }

  resume(): void {
    this.#socket.resume();
    this.#time(this.#requestDone);
  }

  /** Drops the exchange without telling the sink (its client went away) and closes the connection. */
  abort(): void {
    this.#sink = undefined;
    this.#fail('broken');
  }

  /** Closes the connection (pool shutdown or idle expiry). */
  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #time(on: boolean): void {
    if (on === this.#timing) return;
    this.#timing = on;
    this.#socket.setTimeout(on ? this.#timeoutMs : 0);
  }

  #failureKind(): UpstreamFailure {
    if (!this.#connected) return 'connect';
    return this.#gotBytes ? 'broken' : 'reset';
  }

  #onData(chunk: Buffer): void {
    if (!this.#active) {
      this.#fail('protocol'); // bytes nobody asked for: the connection is out of sync
      return;
    }
    this.#gotBytes = true;
    const error = this.#parser.execute(chunk);
    if (error !== undefined) this.#fail('protocol');
    else if (this.#responseDone) this.#settle();
  }

  #onEnd(): void {
    if (this.#active && this.#parser.finish()) {
      this.#keepAlive = false;
      this.#settle();
    } else this.#fail(this.#failureKind());
  }

  /** The response is complete: recycle the connection if both directions finished cleanly. */
  #settle(): void {
    if (!this.#active) return;
    if (!this.#requestDone) {
      // The upstream answered before reading the whole body; the rest cannot be sent any more.
      this.#fail('broken');
      return;
    }
    this.#active = false;
    this.#sink = undefined;
    this.#reused = true;
    this.#owner.release();
    if (this.#keepAlive && this.usable) {
      // A pause for client backpressure may have come with the last chunk.
      if (this.#socket.isPaused()) this.resume();
      this.#owner.recycle(this);
    } else this.destroy();
  }

  #fail(failure: UpstreamFailure): void {
    const wasClosed = this.#closed;
    this.destroy();
    if (!this.#active) {
      if (!wasClosed) this.#owner.forget(this);
      return;
    }
    this.#active = false;
    const sink = this.#sink;
    this.#sink = undefined;
    this.#owner.release();
    if (!this.#responseDone) sink?.onUpstreamFailure(failure, this.#reused);
  }
}
