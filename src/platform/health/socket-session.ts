/**
 * Runs a small client protocol (the Redis check's) over one TCP or TLS connection. The protocol is a
 * pure `SocketSession` (bytes in, bytes and a verdict out); this file owns the socket and the deadline.
 */
import net from 'node:net';
import tls from 'node:tls';
import { type CheckOutcome, timeoutMessage } from './check-outcome.js';
import { describeSocketError } from './socket-error.js';

/** After a verdict, how long a polite goodbye may take before the socket is dropped. */
const GOODBYE_MS = 500;

/** What a session wants after reading some bytes. */
export interface SessionStep {
  /** Bytes to write back. */
  readonly send?: readonly Buffer[];
  /** The verdict, once known; later steps may still exchange a goodbye. */
  readonly outcome?: CheckOutcome;
  /** Nothing more to exchange: close the connection. */
  readonly done?: boolean;
}

/** A client protocol driven by the bytes the server sends. */
export interface SocketSession {
  /** Bytes to send as soon as the connection opens. */
  opening(): readonly Buffer[];
  /** Consumes bytes from the server; may throw on bytes that make no sense. */
  receive(data: Buffer): SessionStep;
  /** The verdict when the server closes the connection before one was reached. */
  closed(): CheckOutcome;
}

/** Where to connect; `tls` wraps the connection (rediss://). */
export interface SessionEndpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

/** Connects, runs `session` to a verdict and closes, all within `timeoutMs`. Never rejects. */
export function runSocketSession(
  endpoint: SessionEndpoint,
  session: SocketSession,
  timeoutMs: number,
): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    let verdict: CheckOutcome | undefined;
    let settled = false;
    const socket = endpoint.tls
      ? tls.connect({ host: endpoint.host, port: endpoint.port, servername: serverName(endpoint.host) })
      : net.connect({ host: endpoint.host, port: endpoint.port });
    const finish = (outcome: CheckOutcome, polite: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(outcome);
      if (!polite) {
        socket.destroy();
        return;
      }
      socket.end();
      setTimeout(() => socket.destroy(), GOODBYE_MS).unref();
    };
    const deadline = setTimeout(
      () => finish(verdict ?? { ok: false, message: timeoutMessage(timeoutMs) }, false),
      timeoutMs,
    );
    const write = (buffers: readonly Buffer[] | undefined): void => {
      for (const buffer of buffers ?? []) socket.write(buffer);
    };

    socket.once(endpoint.tls ? 'secureConnect' : 'connect', () => write(session.opening()));
    socket.on('data', (data: Buffer) => {
      if (settled) return;
      let step: SessionStep;
      try {
        step = session.receive(data);
      } catch (error) {
        finish({ ok: false, message: `protocol error: ${(error as Error).message}` }, false);
        return;
      }
      write(step.send);
      if (step.outcome && !verdict) {
        verdict = step.outcome;
        // The goodbye is a courtesy: never hold the verdict back for long for it.
        if (!step.done) setTimeout(() => finish(step.outcome!, false), GOODBYE_MS).unref();
      }
      if (step.done) finish(verdict ?? session.closed(), true);
    });
    socket.on('error', (error) =>
      finish(verdict ?? { ok: false, message: describeSocketError(error) }, false),
    );
    socket.on('close', () => finish(verdict ?? session.closed(), false));
  });
}

function serverName(host: string): string | undefined {
  return net.isIP(host) === 0 ? host : undefined;
}
