/** One bounded HTTP(S) GET whose status decides health; shared by HTTP probes and HTTP dependencies. */
import http from 'node:http';
import https from 'node:https';
import { type CheckOutcome, withDeadline } from './check-outcome.js';

/**
 * GETs `url` on a fresh connection (no agent, `connection: close`) and passes on a 2xx or 3xx
 * status. The deadline covers connecting, sending and the response head; on expiry the socket is
 * destroyed. The body is never read, so a streaming endpoint cannot hold the check open.
 */
export function httpGet(url: URL, timeoutMs: number): Promise<CheckOutcome> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.resolve({ ok: false, message: `unsupported URL scheme ${url.protocol}` });
  }
  const client = url.protocol === 'https:' ? https : http;
  return withDeadline(
    timeoutMs,
    (signal) =>
      new Promise<CheckOutcome>((resolve, reject) => {
        const request = client.get(url, {
          agent: false,
          signal,
          headers: { connection: 'close', 'user-agent': 'slipway-health-check' },
        });
        request.on('response', (response) => {
          const status = response.statusCode ?? 0;
          response.on('error', () => {});
          response.destroy();
          request.destroy();
          resolve({ ok: status >= 200 && status < 400, message: `HTTP ${status}` });
        });
        request.on('error', reject);
      }),
  );
}
