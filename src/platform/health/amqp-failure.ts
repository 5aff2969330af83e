/** Says why an AMQP handshake failed, from the broker's replies where they were seen and amqplib's error otherwise. */
import type { BrokerReplies } from './amqp-transcript.js';
import { describeSocketError } from './socket-error.js';

const ACCESS_REFUSED = 403;
/** amqplib's words for a Connection.Close in answer to the login. */
const HANDSHAKE_CLOSED = /^Handshake terminated by server: (\d+) \([^)]*\) with message "(.*)"$/s;

/** The message of a failed RabbitMQ check, e.g. `authentication failed: 403 ACCESS_REFUSED - ...`. */
export function describeAmqpFailure(error: unknown, replies: BrokerReplies, vhost: string): string {
  if (replies.offeredVersion)
    return `the server does not speak AMQP 0-9-1 (it offered ${replies.offeredVersion})`;
  if (replies.notAmqp) return `protocol error: not an AMQP reply: ${replies.notAmqp}`;
  const message = error instanceof Error ? error.message : String(error);
  const close = replies.close ?? closeIn(message);
  if (close) {
    const reason = `${close.code} ${close.text}`;
    return close.code === ACCESS_REFUSED ? `authentication failed: ${reason}` : reason;
  }
  if (message.startsWith('SASL mechanism')) {
    const offered = replies.mechanisms ? ` (only ${replies.mechanisms.join(', ')})` : '';
    return `the server offers no PLAIN login${offered}`;
  }
  if (message.startsWith("Wasn't expecting to have to go through secure")) {
    return 'the server sent a SASL challenge; only PLAIN login is supported';
  }
  // Seen only when the replies could not be watched (TLS): amqplib keeps the broker's reason to itself.
  if (message.startsWith('Expected ConnectionOpenOk; got <ConnectionClose')) {
    return `the server refused to open vhost ${vhost}`;
  }
  if (message.startsWith('Socket closed abruptly')) return closedBy(replies);
  if (isSystemError(error)) return describeSocketError(error);
  return `protocol error: ${message}`;
}

/** A connection the broker closed without saying why: how far the handshake got tells what it means. */
function closedBy(replies: BrokerReplies): string {
  if (!replies.observed || replies.tuned) return 'connection closed by the server during the AMQP handshake';
  // Brokers that cannot send Connection.Close on a failed login just drop the connection.
  if (replies.mechanisms) return 'authentication failed: the server closed the connection after login';
  return 'connection closed by the server before the AMQP handshake';
}

function closeIn(message: string): BrokerReplies['close'] {
  const match = HANDSHAKE_CLOSED.exec(message);
  return match?.[1] && match[2] !== undefined ? { code: Number(match[1]), text: match[2] } : undefined;
}

/** Network errors carry a `code` (ECONNREFUSED, ENOTFOUND, ...); a failed happy-eyeballs connect is an AggregateError of them. */
function isSystemError(error: unknown): boolean {
  return error instanceof AggregateError || typeof (error as { code?: unknown } | null)?.code === 'string';
}
