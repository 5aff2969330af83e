/**
 * The requests of a security check: one GET to the endpoint with the router's revision header, so
 * that it reaches the new revision before that has any weight. Redirects are not followed, and
 * TLS is not judged here (the TLS probe reports it precisely), so a weak or untrusted certificate
 * does not hide what the revision serves.
 */
import http from 'node:http';
import https from 'node:https';
import type { SecurityResponse } from './security-rules.js';

/** How the check reaches the revision. */
export interface SecurityClient {
  readonly revision: string;
  readonly timeoutMs: number;
  /** TLS server name (SNI) for HTTPS endpoints. */
  readonly servername?: string;
}

/** An answer, or why there was none. */
export type SecurityAnswer =
  | { readonly ok: true; readonly response: SecurityResponse }
  | { readonly ok: false; readonly message: string };

/** Kept from the start of a body: enough for a page's tags and a source map's first keys. */
const HEAD_BYTES = 1 << 20;
/** Kept from the end of a body: where a `sourceMappingURL` comment is. */
const TAIL_BYTES = 64 << 10;
/** A body longer than this is not read further. */
const MAX_BYTES = 64 << 20;

/** GETs `url` as the revision's client; never throws. */
export function securityGet(url: string, client: SecurityClient): Promise<SecurityAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: SecurityAnswer) => {
      if (settled) return;
      settled = true;
      resolve(answer);
    };
    const target = new URL(url);
    const headers = {
      'x-slipway-revision': client.revision,
      'user-agent': 'slipway-security-check',
      accept: '*/*',
    };
    const options = {
      method: 'GET',
      headers,
      agent: false as const,
      signal: AbortSignal.timeout(client.timeoutMs),
    };
    const onResponse = (res: http.IncomingMessage) => {
      const head: Buffer[] = [];
      let headBytes = 0;
      let tail = Buffer.alloc(0);
      let bytes = 0;
      const finish = () =>
        done({
          ok: true,
          response: {
            status: res.statusCode ?? 0,
            headers: res.headers,
            head: Buffer.concat(head).toString('utf8'),
            tail: tail.toString('utf8'),
            bytes,
          },
        });
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (headBytes < HEAD_BYTES) {
          const part = chunk.subarray(0, HEAD_BYTES - headBytes);
          head.push(part);
          headBytes += part.length;
        }
        tail = Buffer.concat([tail, chunk]);
        if (tail.length > TAIL_BYTES) tail = tail.subarray(tail.length - TAIL_BYTES);
        if (bytes > MAX_BYTES) {
          finish();
          res.destroy();
        }
      });
      res.on('end', finish);
      res.on('error', (error) => done({ ok: false, message: describe(error, client.timeoutMs) }));
    };
    const req =
      target.protocol === 'https:'
        ? https.request(
            target,
            {
              ...options,
              rejectUnauthorized: false,
              // Offer every version: an old one is the TLS probe's finding, not a reason to see nothing.
              minVersion: 'TLSv1',
              ciphers: 'DEFAULT@SECLEVEL=0',
              ...(client.servername !== undefined ? { servername: client.servername } : {}),
            },
            onResponse,
          )
        : http.request(target, options, onResponse);
    req.on('error', (error) => done({ ok: false, message: describe(error, client.timeoutMs) }));
    req.end();
  });
}

function describe(error: Error, timeoutMs: number): string {
  return error.name === 'AbortError' || error.name === 'TimeoutError'
    ? `no answer within ${timeoutMs} ms`
    : error.message;
}
