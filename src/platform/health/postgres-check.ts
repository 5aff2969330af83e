/** The PostgreSQL dependency check: connect with `pg`, ask the server version, disconnect. */
import net from 'node:net';
import { type CheckOutcome, timeoutMessage, withDeadline } from './check-outcome.js';
import { describeSocketError } from './socket-error.js';

/** SQLSTATEs of a refused login: invalid_password, invalid_authorization_specification. */
const AUTH_FAILURES = new Set(['28P01', '28000']);

/** Connects to `url` and runs `SHOW server_version`, all within `timeoutMs`. */
export function checkPostgres(url: URL, timeoutMs: number): Promise<CheckOutcome> {
  return withDeadline(timeoutMs, async (signal) => {
    const { default: pg } = await import('pg');
    // pg's own timeout covers connecting only; owning the socket lets the deadline cut a stalled query too.
    let socket: net.Socket | undefined;
    const client = new pg.Client({
      connectionString: url.href,
      connectionTimeoutMillis: timeoutMs,
      stream: () => {
        socket = new net.Socket();
        return socket;
      },
    });
    client.on('error', () => {});
    signal.addEventListener('abort', () => socket?.destroy(), { once: true });
    try {
      await client.connect();
      const result = await client.query<{ server_version: string }>('SHOW server_version');
      const version = result.rows[0]?.server_version.split(' ')[0];
      return { ok: true, message: version ? `ok (PostgreSQL ${version})` : 'ok' };
    } catch (error) {
      return { ok: false, message: describePgError(error, timeoutMs) };
    } finally {
      client.end().catch(() => {});
    }
  });
}

function describePgError(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  const { code } = error as Error & { code?: string };
  if (code && AUTH_FAILURES.has(code)) return `authentication failed: ${error.message}`;
  if (/connection timeout|timeout expired/.test(error.message)) return timeoutMessage(timeoutMs);
  if (/password must be a string/.test(error.message)) {
    return 'authentication failed: the server asks for a password and the URL has none';
  }
  return describeSocketError(error);
}
