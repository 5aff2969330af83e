// A fake AMQP 0-9-1 broker that answers each step of the connection handshake as a test scripts it.
import {
  ConnectionMethod,
  connectionFrame,
  connectionMethods,
  openOkFrame,
  startFrame,
  tuneFrame,
} from '../../../helpers/amqp-frames.js';
import { type Peer, scriptedPeer } from './peers.js';

/** The broker's answer to one client step: frames to send, the connection dropped, or nothing at all. */
export type Answer = readonly Buffer[] | 'drop' | 'silence';

/** What the broker answers to each client step; each default carries the handshake on. */
export interface BrokerScript {
  /** To the protocol header; default Connection.Start from `FakeMQ 1.2.3` offering PLAIN. */
  readonly header?: Answer;
  /** To Start-Ok (the login); default Connection.Tune. */
  readonly startOk?: Answer;
  /** To Open (the vhost); default Open-Ok. */
  readonly open?: Answer;
  /** To the client's Close; default Close-Ok. */
  readonly close?: Answer;
}

/** The running broker: its peer, and the connection methods clients sent it, in order. */
export type FakeBroker = Peer & { readonly openSockets: () => number; readonly received: () => number[] };

const PROTOCOL_HEADER_BYTES = 8;

/** Starts a broker playing `script` on every connection. */
export async function fakeBroker(script: BrokerScript = {}): Promise<FakeBroker> {
  const received: number[] = [];
  const answers = new Map<number, Answer>([
    [ConnectionMethod.startOk, script.startOk ?? [tuneFrame()]],
    [ConnectionMethod.open, script.open ?? [openOkFrame()]],
    [ConnectionMethod.close, script.close ?? [connectionFrame(ConnectionMethod.closeOk)]],
  ]);
  const peer = await scriptedPeer((socket) => {
    let buffer = Buffer.alloc(0);
    let greeted = false;
    const answer = (reply: Answer | undefined): void => {
      if (reply === 'drop') socket.destroy();
      else if (reply !== undefined && reply !== 'silence') for (const frame of reply) socket.write(frame);
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!greeted) {
        if (buffer.length < PROTOCOL_HEADER_BYTES) return;
        greeted = true;
        buffer = buffer.subarray(PROTOCOL_HEADER_BYTES);
        answer(script.header ?? [startFrame('FakeMQ', '1.2.3', 'PLAIN')]);
      }
      const { methods, consumed } = connectionMethods(buffer);
      buffer = buffer.subarray(consumed);
      for (const method of methods) {
        received.push(method);
        answer(answers.get(method));
      }
    });
  });
  return { ...peer, received: () => [...received] };
}
