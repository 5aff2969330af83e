/** The Redis dependency check: `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS). */
import type { CheckOutcome } from './check-outcome.js';
import { urlHost } from './dependency-url.js';
import { RedisSession } from './redis-session.js';
import { runSocketSession } from './socket-session.js';

const DEFAULT_PORT = 6379;

/** Connects, authenticates and selects the database as the URL says, then expects `PING` -> `PONG`. */
export function checkRedis(url: URL, timeoutMs: number): Promise<CheckOutcome> {
  const db = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const session = new RedisSession({
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db } : {}),
  });
  const endpoint = {
    host: urlHost(url),
    port: Number(url.port) || DEFAULT_PORT,
    tls: url.protocol === 'rediss:',
  };
  return runSocketSession(endpoint, session, timeoutMs);
}
