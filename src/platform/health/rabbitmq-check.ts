/** The RabbitMQ dependency check: `amqp://[user:password@]host[:port][/vhost]` (or `amqps://` for TLS). */
import { AmqpHandshake } from './amqp-handshake.js';
import type { CheckOutcome } from './check-outcome.js';
import { urlHost } from './dependency-url.js';
import { runSocketSession } from './socket-session.js';

/** Logs in (default guest/guest) and opens the vhost (default `/`), which proves credentials and permissions. */
export function checkRabbitmq(url: URL, timeoutMs: number): Promise<CheckOutcome> {
  const tls = url.protocol === 'amqps:';
  const vhost = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const session = new AmqpHandshake({
    username: url.username ? decodeURIComponent(url.username) : 'guest',
    password: url.username ? decodeURIComponent(url.password) : 'guest',
    vhost: vhost === '' ? '/' : vhost,
  });
  const endpoint = { host: urlHost(url), port: Number(url.port) || (tls ? 5671 : 5672), tls };
  return runSocketSession(endpoint, session, timeoutMs);
}
