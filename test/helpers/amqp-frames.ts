// Test-only AMQP 0-9-1 frames, written by hand so tests of the RabbitMQ check can play a broker.

const FRAME_END = 0xce;
const CONNECTION_CLASS = 10;

/** The connection methods a broker or client sends during the handshake (class 10 of the 0-9-1 spec). */
export const ConnectionMethod = {
  start: 10,
  startOk: 11,
  secure: 20,
  tune: 30,
  tuneOk: 31,
  open: 40,
  openOk: 41,
  close: 50,
  closeOk: 51,
} as const;

/** A method frame of the connection class on channel 0. */
export function connectionFrame(methodId: number, args: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(11);
  header.writeUInt8(1, 0);
  header.writeUInt16BE(0, 1);
  header.writeUInt32BE(4 + args.length, 3);
  header.writeUInt16BE(CONNECTION_CLASS, 7);
  header.writeUInt16BE(methodId, 9);
  return Buffer.concat([header, args, Buffer.from([FRAME_END])]);
}

/** Connection.Start from a broker named `product version` offering `mechanisms` (space-separated). */
export function startFrame(product: string, version: string, mechanisms = 'AMQPLAIN PLAIN'): Buffer {
  const properties = Buffer.concat([tableEntry('product', product), tableEntry('version', version)]);
  const args = Buffer.concat([
    Buffer.from([0, 9]),
    longString(properties),
    longString(mechanisms),
    longString('en_US'),
  ]);
  return connectionFrame(ConnectionMethod.start, args);
}

/** Connection.Tune: 2047 channels, 128 KiB frames, 60 s heartbeats. */
export function tuneFrame(): Buffer {
  const args = Buffer.alloc(8);
  args.writeUInt16BE(2047, 0);
  args.writeUInt32BE(131_072, 2);
  args.writeUInt16BE(60, 6);
  return connectionFrame(ConnectionMethod.tune, args);
}

/** Connection.Close with a reply code and text, caused by no particular method. */
export function closeFrame(code: number, text: string): Buffer {
  const codeBytes = Buffer.alloc(2);
  codeBytes.writeUInt16BE(code, 0);
  return connectionFrame(
    ConnectionMethod.close,
    Buffer.concat([codeBytes, shortString(text), Buffer.alloc(4)]),
  );
}

/** Connection.Open-Ok (its one argument is a reserved empty short string). */
export const openOkFrame = (): Buffer => connectionFrame(ConnectionMethod.openOk, shortString(''));

/** Connection.Secure with a SASL challenge. */
export const secureFrame = (): Buffer => connectionFrame(ConnectionMethod.secure, longString('challenge'));

/** The connection method ids of the whole frames at the start of `bytes`, and how many bytes those frames take. */
export function connectionMethods(bytes: Buffer): { readonly methods: number[]; readonly consumed: number } {
  const methods: number[] = [];
  let at = 0;
  while (at + 7 <= bytes.length) {
    const size = bytes.readUInt32BE(at + 3);
    if (at + 8 + size > bytes.length) break;
    if (bytes[at] === 1 && bytes.readUInt16BE(at + 7) === CONNECTION_CLASS)
      methods.push(bytes.readUInt16BE(at + 9));
    at += 8 + size;
  }
  return { methods, consumed: at };
}

function tableEntry(key: string, value: string): Buffer {
  return Buffer.concat([shortString(key), Buffer.from('S'), longString(value)]);
}

function shortString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function longString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}
