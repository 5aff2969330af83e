/**
 * The AMQP 0-9-1 connection handshake as a pure session: protocol header, Start / Start-Ok with
 * PLAIN credentials, Tune / Tune-Ok, Open for the vhost, then a clean Close. Reaching Open-Ok
 * means the broker accepted the credentials and the vhost; a Connection.Close says why not.
 */
import { type AmqpFrame, ArgReader, ArgWriter, FRAME_METHOD, methodFrame, readFrame } from './amqp-codec.js';
import type { CheckOutcome } from './check-outcome.js';
import type { SessionStep, SocketSession } from './socket-session.js';

/** `AMQP` 0, 0, 9, 1: the client's first bytes. */
export const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

/** The connection class and its methods (class 10 of the 0-9-1 spec). */
export const Connection = {
  classId: 10,
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

/** Used when the broker sets no frame size limit (0); any value of at least 4096 is valid. */
const FALLBACK_FRAME_MAX = 131_072;
const REPLY_SUCCESS = 200;
const ACCESS_REFUSED = 403;

/** Who to log in as, and where. */
export interface AmqpLogin {
  readonly username: string;
  readonly password: string;
  readonly vhost: string;
}

type Phase = 'start' | 'tune' | 'open' | 'closing' | 'done';

/** Drives one handshake from the broker's bytes. */
export class AmqpHandshake implements SocketSession {
  private buffer = Buffer.alloc(0);
  private phase: Phase = 'start';
  private server = '';

  constructor(private readonly login: AmqpLogin) {}

  opening(): readonly Buffer[] {
    return [PROTOCOL_HEADER];
  }

  receive(data: Buffer): SessionStep {
    this.buffer = Buffer.concat([this.buffer, data]);
    // A broker that does not speak 0-9-1 answers with the header it does speak, then closes.
    if (this.phase === 'start' && this.buffer.subarray(0, 4).toString('latin1') === 'AMQP') {
      if (this.buffer.length < 8) return {};
      const version = [...this.buffer.subarray(5, 8)].join('-');
      return fail(`the server does not speak AMQP 0-9-1 (it offered ${version})`);
    }
    const send: Buffer[] = [];
    let outcome: CheckOutcome | undefined;
    for (;;) {
      const read = readFrame(this.buffer);
      if (!read) return { send, ...(outcome ? { outcome } : {}) };
      this.buffer = this.buffer.subarray(read.size);
      const step = this.handle(read.frame);
      send.push(...(step.send ?? []));
      outcome ??= step.outcome;
      if (step.done) return { send, ...(outcome ? { outcome } : {}), done: true };
    }
  }

  closed(): CheckOutcome {
    switch (this.phase) {
      case 'start':
        return { ok: false, message: 'connection closed by the server before the AMQP handshake' };
      case 'tune':
        // Brokers that cannot send Connection.Close on a failed login just drop the connection.
        return { ok: false, message: 'authentication failed: the server closed the connection after login' };
      default:
        return { ok: false, message: 'connection closed by the server during the AMQP handshake' };
    }
  }

  private handle(frame: AmqpFrame): SessionStep {
    if (frame.type !== FRAME_METHOD || frame.channel !== 0) return {};
    const args = new ArgReader(frame.payload);
    const classId = args.uint16();
    const methodId = args.uint16();
    if (classId !== Connection.classId) return {};
    switch (methodId) {
      case Connection.start:
        return this.onStart(args);
      case Connection.tune:
        return this.onTune(args);
      case Connection.openOk:
        this.phase = 'closing';
        return {
          send: [
            methodFrame(Connection.classId, Connection.close, closeArgs(REPLY_SUCCESS, 'health check done')),
          ],
          outcome: { ok: true, message: this.server ? `ok (${this.server})` : 'ok' },
        };
      case Connection.closeOk:
        this.phase = 'done';
        return { done: true };
      case Connection.close:
        return this.onClose(args);
      case Connection.secure:
        return fail('the server sent a SASL challenge; only PLAIN login is supported');
      default:
        return {};
    }
  }

  private onStart(args: ArgReader): SessionStep {
    args.octet();
    args.octet();
    const properties = args.table();
    const mechanisms = args.longstr().toString('utf8').split(' ');
    const product = typeof properties.product === 'string' ? properties.product : '';
    const version = typeof properties.version === 'string' ? properties.version : '';
    this.server = `${product} ${version}`.trim();
    if (!mechanisms.includes('PLAIN'))
      return fail(`the server offers no PLAIN login (only ${mechanisms.join(', ')})`);
    this.phase = 'tune';
    const startOk = new ArgWriter()
      .table({
        product: 'slipway',
        information: 'health check',
        connection_name: 'slipway health check',
        // Without this capability a broker drops the connection on a bad login instead of saying why.
        capabilities: { authentication_failure_close: true },
      })
      .shortstr('PLAIN')
      .longstr(`\0${this.login.username}\0${this.login.password}`)
      .shortstr('en_US')
      .build();
    return { send: [methodFrame(Connection.classId, Connection.startOk, startOk)] };
  }

  private onTune(args: ArgReader): SessionStep {
    const channelMax = args.uint16();
    const frameMax = args.uint32();
    this.phase = 'open';
    const tuneOk = new ArgWriter()
      .uint16(channelMax)
      .uint32(frameMax || FALLBACK_FRAME_MAX)
      .uint16(0) // no heartbeats: the connection lives for one round trip
      .build();
    const open = new ArgWriter().shortstr(this.login.vhost).shortstr('').octet(0).build();
    return {
      send: [
        methodFrame(Connection.classId, Connection.tuneOk, tuneOk),
        methodFrame(Connection.classId, Connection.open, open),
      ],
    };
  }

  private onClose(args: ArgReader): SessionStep {
    const code = args.uint16();
    const text = args.shortstr();
    this.phase = 'done';
    const reason = `${code} ${text}`;
    return {
      send: [methodFrame(Connection.classId, Connection.closeOk)],
      outcome: { ok: false, message: code === ACCESS_REFUSED ? `authentication failed: ${reason}` : reason },
      done: true,
    };
  }
}

/** Connection.Close arguments: reply code and text, and the method that caused it (none here). */
export function closeArgs(code: number, text: string): Buffer {
  return new ArgWriter().uint16(code).shortstr(text).uint16(0).uint16(0).build();
}

function fail(message: string): SessionStep {
  return { outcome: { ok: false, message }, done: true };
}
