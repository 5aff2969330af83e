/** The RabbitMQ dependency check: `amqp://[user:password@]host[:port][/vhost]` (or `amqps://` for TLS), through amqplib. */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { ChannelModel, ServerProperties, SocketOptions } from 'amqplib';
import { describeAmqpFailure } from './amqp-failure.js';
import { AmqpTranscript } from './amqp-transcript.js';
import { type CheckOutcome, withDeadline } from './check-outcome.js';
import { urlHost } from './dependency-url.js';

/** After the verdict, how long the polite Connection.Close may take before the socket is dropped. */
const GOODBYE_MS = 500;
/** Where Node announces each TCP client socket it creates (TLS sockets are not announced). */
const CLIENT_SOCKETS = 'net.client.socket';

/** Who to log in as, and where. */
interface AmqpLogin {
  readonly username: string;
  readonly password: string;
  readonly vhost: string;
}

/** Logs in (default guest/guest) and opens the vhost (default `/`), which proves credentials and permissions. */
export function checkRabbitmq(url: URL, timeoutMs: number): Promise<CheckOutcome> {
  return withDeadline(timeoutMs, async (deadline) => {
    // The default export (module.exports) is what both Node and the CLI bundle give a CommonJS package.
    const { default: amqp } = await import('amqplib');
    const tls = url.protocol === 'amqps:';
    const login = loginFrom(url);
    // Aborting destroys the socket: at the deadline, or when the goodbye takes too long.
    const drop = new AbortController();
    deadline.addEventListener('abort', () => drop.abort(), { once: true });
    const socketOptions: SocketOptions & { readonly signal: AbortSignal } = {
      signal: drop.signal,
      clientProperties: { connection_name: 'slipway health check' },
    };
    const transcript = new AmqpTranscript();
    let connection: ChannelModel;
    try {
      connection = await watchReplies(transcript, () =>
        amqp.connect(
          {
            protocol: tls ? 'amqps' : 'amqp',
            hostname: urlHost(url),
            port: Number(url.port) || (tls ? 5671 : 5672),
            username: login.username,
            password: login.password,
            // amqplib percent-decodes the vhost it is given.
            vhost: encodeURIComponent(login.vhost),
            heartbeat: 0, // the connection lives for one round trip
          },
          socketOptions,
        ),
      );
    } catch (error) {
      return { ok: false, message: describeAmqpFailure(error, transcript.replies, login.vhost) };
    }
    connection.on('error', () => {}); // dropping the socket after the verdict is no news
    const goodbye = setTimeout(() => drop.abort(), GOODBYE_MS).unref();
    connection
      .close()
      .catch(() => {})
      .finally(() => clearTimeout(goodbye));
    return { ok: true, message: okMessage(connection.connection.serverProperties) };
  });
}

function loginFrom(url: URL): AmqpLogin {
  const vhost = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    username: url.username ? decodeURIComponent(url.username) : 'guest',
    password: url.username ? decodeURIComponent(url.password) : 'guest',
    vhost: vhost === '' ? '/' : vhost,
  };
}

/**
 * Runs `open`, which creates its TCP socket synchronously, and feeds what that socket receives to
 * `transcript`. Node announces new client sockets on a diagnostics channel; listening only for the
 * duration of one synchronous call catches this check's socket and no other.
 */
function watchReplies<T>(transcript: AmqpTranscript, open: () => T): T {
  const onSocket = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    transcript.observe();
    socket.on('data', (chunk: Buffer) => transcript.record(chunk));
  };
  subscribe(CLIENT_SOCKETS, onSocket);
  try {
    return open();
  } finally {
    unsubscribe(CLIENT_SOCKETS, onSocket);
  }
}

function okMessage(server: ServerProperties): string {
  const name = `${server.product ?? ''} ${server.version ?? ''}`.trim();
  return name ? `ok (${name})` : 'ok';
}
