/**
 * The slice of AMQP 0-9-1 framing a connection handshake needs: frames, method arguments
 * (octets, shorts, longs, short and long strings) and field tables, in network byte order.
 */

/** A method frame (`type 1`); heartbeats are type 8. */
export const FRAME_METHOD = 1;
const FRAME_END = 0xce;
const FRAME_HEADER_BYTES = 7;

/** One frame as read off the wire. */
export interface AmqpFrame {
  readonly type: number;
  readonly channel: number;
  readonly payload: Buffer;
}

/** Reads one frame at the start of `buffer`; undefined while it is incomplete. Throws on a bad frame end. */
export function readFrame(buffer: Buffer): { frame: AmqpFrame; size: number } | undefined {
  if (buffer.length < FRAME_HEADER_BYTES) return undefined;
  const payloadSize = buffer.readUInt32BE(3);
  const size = FRAME_HEADER_BYTES + payloadSize + 1;
  if (buffer.length < size) return undefined;
  if (buffer[size - 1] !== FRAME_END) throw new Error('malformed AMQP frame (bad frame end)');
  const frame = {
    type: buffer.readUInt8(0),
    channel: buffer.readUInt16BE(1),
    payload: buffer.subarray(FRAME_HEADER_BYTES, size - 1),
  };
  return { frame, size };
}

/** A method frame on channel 0 (the connection's own channel). */
export function methodFrame(classId: number, methodId: number, args: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES + 4);
  header.writeUInt8(FRAME_METHOD, 0);
  header.writeUInt16BE(0, 1);
  header.writeUInt32BE(4 + args.length, 3);
  header.writeUInt16BE(classId, 7);
  header.writeUInt16BE(methodId, 9);
  return Buffer.concat([header, args, Buffer.from([FRAME_END])]);
}

/** A value a client writes into a field table. */
export type TableValue = boolean | string | number | { readonly [key: string]: TableValue };

/** Builds method arguments in order. */
export class ArgWriter {
  private readonly parts: Buffer[] = [];

  octet(value: number): this {
    return this.push(1, (b) => b.writeUInt8(value, 0));
  }

  uint16(value: number): this {
    return this.push(2, (b) => b.writeUInt16BE(value, 0));
  }

  uint32(value: number): this {
    return this.push(4, (b) => b.writeUInt32BE(value, 0));
  }

  shortstr(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > 255)
      throw new Error(`AMQP short string longer than 255 bytes: ${value.slice(0, 40)}...`);
    this.parts.push(Buffer.from([bytes.length]), bytes);
    return this;
  }

  longstr(value: string | Buffer): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    this.uint32(bytes.length);
    this.parts.push(bytes);
    return this;
  }

  table(entries: { readonly [key: string]: TableValue }): this {
    const body = new ArgWriter();
    for (const [key, value] of Object.entries(entries)) {
      body.shortstr(key);
      if (typeof value === 'boolean') body.octet('t'.charCodeAt(0)).octet(value ? 1 : 0);
      else if (typeof value === 'string') body.octet('S'.charCodeAt(0)).longstr(value);
      else if (typeof value === 'number')
        body.octet('I'.charCodeAt(0)).push(4, (b) => b.writeInt32BE(value, 0));
      else body.octet('F'.charCodeAt(0)).table(value);
    }
    return this.longstr(body.build());
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }

  private push(size: number, write: (buffer: Buffer) => void): this {
    const buffer = Buffer.alloc(size);
    write(buffer);
    this.parts.push(buffer);
    return this;
  }
}

/** Reads method arguments in order; reading past the end throws (a RangeError from Buffer). */
export class ArgReader {
  private at = 0;

  constructor(private readonly buffer: Buffer) {}

  octet(): number {
    return this.take(1).readUInt8(0);
  }

  uint16(): number {
    return this.take(2).readUInt16BE(0);
  }

  uint32(): number {
    return this.take(4).readUInt32BE(0);
  }

  shortstr(): string {
    return this.take(this.octet()).toString('utf8');
  }

  longstr(): Buffer {
    return this.take(this.uint32());
  }

  /** A field table; values this check has no use for are decoded loosely (numbers, strings, nested tables). */
  table(): Record<string, unknown> {
    const reader = new ArgReader(this.longstr());
    const out: Record<string, unknown> = {};
    while (!reader.atEnd()) {
      const key = reader.shortstr();
      out[key] = reader.fieldValue();
    }
    return out;
  }

  atEnd(): boolean {
    return this.at >= this.buffer.length;
  }

  private fieldValue(): unknown {
    const type = String.fromCharCode(this.octet());
    switch (type) {
      case 't':
        return this.octet() !== 0;
      case 'b':
        return this.take(1).readInt8(0);
      case 'B':
        return this.octet();
      case 's':
        return this.take(2).readInt16BE(0);
      case 'u':
        return this.uint16();
      case 'I':
        return this.take(4).readInt32BE(0);
      case 'i':
        return this.uint32();
      case 'l':
        return this.take(8).readBigInt64BE(0);
      case 'T':
        return this.take(8).readBigUInt64BE(0);
      case 'f':
        return this.take(4).readFloatBE(0);
      case 'd':
        return this.take(8).readDoubleBE(0);
      case 'D': {
        const scale = this.octet();
        return this.take(4).readInt32BE(0) / 10 ** scale;
      }
      case 'S':
        return this.longstr().toString('utf8');
      case 'x':
        return this.longstr();
      case 'A': {
        const reader = new ArgReader(this.longstr());
        const items: unknown[] = [];
        while (!reader.atEnd()) items.push(reader.fieldValue());
        return items;
      }
      case 'F':
        return this.table();
      case 'V':
        return null;
      default:
        throw new Error(`unknown AMQP field type ${JSON.stringify(type)}`);
    }
  }

  private take(size: number): Buffer {
    if (this.at + size > this.buffer.length) throw new Error('truncated AMQP method arguments');
    const slice = this.buffer.subarray(this.at, this.at + size);
    this.at += size;
    return slice;
  }
}
