/**
 * What a broker said during the AMQP handshake, read off the connection's incoming bytes. amqplib
 * reports a refused Connection.Open as "Expected ConnectionOpenOk; got <ConnectionClose>" and a
 * dropped connection as "Socket closed abruptly", without the broker's reply or how far the
 * handshake got; the RabbitMQ check reads those here to say why a broker turned it away.
 */

const FRAME_HEADER_BYTES = 7;
const FRAME_END = 0xce;
/** Frame types of AMQP 0-9-1: method, content header, content body, heartbeat. */
const FRAME_TYPES = new Set([1, 2, 3, 8]);
const FRAME_METHOD = 1;
/** Handshake frames are small; a bigger size means the bytes are not AMQP frames at all. */
const MAX_HANDSHAKE_FRAME = 1 << 20;
/** How much of a non-AMQP reply is quoted. */
const QUOTED_BYTES = 24;
const CONNECTION_CLASS = 10;
const Method = { start: 10, tune: 30, close: 50 } as const;

/** The broker's side of a handshake, as far as it was seen. */
export interface BrokerReplies {
  /** False when the connection's bytes could not be watched (TLS): nothing below is known then. */
  readonly observed: boolean;
  /** The version a broker offered instead of 0-9-1 by answering with its own protocol header, e.g. `0-8-0`. */
  readonly offeredVersion?: string;
  /** The first bytes, quoted, when they are neither AMQP frames nor a protocol header. */
  readonly notAmqp?: string;
  /** The login mechanisms of Connection.Start, once it arrived. */
  readonly mechanisms?: readonly string[];
  /** Connection.Tune arrived: the broker accepted the login. */
  readonly tuned: boolean;
  /** The broker's Connection.Close, when it sent one. */
  readonly close?: { readonly code: number; readonly text: string };
}

/** Reads the broker's handshake frames from the chunks it is given, in order. */
export class AmqpTranscript {
  private buffer = Buffer.alloc(0);
  private head = Buffer.alloc(0);
  private stopped = false;
  private seen: BrokerReplies = { observed: false, tuned: false };

  /** What the broker said so far. */
  get replies(): BrokerReplies {
    return this.seen;
  }

  /** Notes that the connection's bytes will be recorded (they cannot be over TLS). */
  observe(): void {
    this.seen = { ...this.seen, observed: true };
  }

  /** Takes the next bytes the broker sent. */
  record(chunk: Buffer): void {
    if (this.stopped) return;
    if (this.head.length < QUOTED_BYTES)
      this.head = Buffer.concat([this.head, chunk]).subarray(0, QUOTED_BYTES);
    this.buffer = Buffer.concat([this.buffer, chunk]);
    // A broker that does not speak 0-9-1 answers with the header of the version it does speak, then closes.
    if (this.head.subarray(0, 4).toString('latin1') === 'AMQP') {
      if (this.head.length >= 8) this.stop({ offeredVersion: [...this.head.subarray(5, 8)].join('-') });
      return;
    }
    while (!this.stopped && this.buffer.length >= FRAME_HEADER_BYTES) {
      const type = this.buffer.readUInt8(0);
      const channel = this.buffer.readUInt16BE(1);
      const size = this.buffer.readUInt32BE(3);
      if (!FRAME_TYPES.has(type) || size > MAX_HANDSHAKE_FRAME) {
        this.stop({ notAmqp: this.quoteHead() });
        return;
      }
      const end = FRAME_HEADER_BYTES + size;
      if (this.buffer.length <= end) return; // the rest of the frame is still to come
      if (this.buffer[end] !== FRAME_END) {
        this.stop({ notAmqp: this.quoteHead() });
        return;
      }
      if (type === FRAME_METHOD && channel === 0) this.method(this.buffer.subarray(FRAME_HEADER_BYTES, end));
      this.buffer = this.buffer.subarray(end + 1);
    }
  }

  private method(payload: Buffer): void {
    try {
      if (payload.readUInt16BE(0) !== CONNECTION_CLASS) return;
      switch (payload.readUInt16BE(2)) {
        case Method.start: {
          // version-major, version-minor, server-properties (a length-prefixed table), mechanisms.
          const mechanismsAt = 6 + 4 + payload.readUInt32BE(6);
          const mechanisms = longString(payload, mechanismsAt).split(' ').filter(Boolean);
          this.seen = { ...this.seen, mechanisms };
          return;
        }
        case Method.tune:
          this.seen = { ...this.seen, tuned: true };
          return;
        case Method.close: {
          const length = payload.readUInt8(6);
          const text = payload.toString('utf8', 7, 7 + length);
          this.seen = { ...this.seen, close: { code: payload.readUInt16BE(4), text } };
          return;
        }
      }
    } catch {
      // A truncated method: amqplib rejects it too, and says so.
    }
  }

  private stop(found: Pick<BrokerReplies, 'offeredVersion' | 'notAmqp'>): void {
    this.stopped = true;
    this.buffer = Buffer.alloc(0);
    this.seen = { ...this.seen, ...found };
  }

  private quoteHead(): string {
    return JSON.stringify(this.head.toString('latin1'));
  }
}

function longString(payload: Buffer, at: number): string {
  const length = payload.readUInt32BE(at);
  if (at + 4 + length > payload.length) throw new RangeError('truncated long string');
  return payload.toString('utf8', at + 4, at + 4 + length);
}
