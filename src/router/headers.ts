// Header rewriting on the hot path. Both functions edit a rawHeaders array ([name, value, ...]) in
// place, comparing names by length first so most headers are never lower-cased.
import { FLAG_VARIANTS_HEADER } from '../platform/traffic-metrics.js';
import type { BodyFraming } from './upstream-connection.js';

/** What the router reads from a request's headers while rewriting them. */
export interface RequestFacts {
  /** Value of X-Slipway-Revision. */
  override: string | undefined;
  /** All Cookie headers, joined with `; `. */
  cookie: string | undefined;
  /** How the request body arrives: none, Content-Length bytes, or Transfer-Encoding (re-chunked upstream). */
  body: BodyFraming;
  /** The request has a Host header (HTTP/1.0 requests may not). */
  hasHost: boolean;
}

/** What the router reads from an upstream response's headers while rewriting them. */
export interface ResponseFacts {
  /** Value of X-Slipway-Flag-Variants (several headers joined with `, `); the header is not passed on. */
  flagVariants: string | undefined;
}

/** How to rewrite a request's headers. */
export interface RewriteOptions {
  /** Keep `Connection` and `Upgrade` (a WebSocket handshake). */
  readonly upgrade: boolean;
  /** Extend incoming X-Forwarded-* instead of replacing them (the router sits behind a trusted proxy). */
  readonly trustForwarded: boolean;
}

const STANDARD_CONNECTION_TOKENS = new Set(['close', 'keep-alive', 'upgrade']);

/** Header names listed in a Connection header beyond the standard tokens (they are hop-by-hop too). */
function connectionListed(connection: string): Set<string> | undefined {
  const whole = connection.toLowerCase();
  if (whole === 'keep-alive' || whole === 'close' || whole === 'upgrade') return undefined;
  let listed: Set<string> | undefined;
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === '' || STANDARD_CONNECTION_TOKENS.has(name)) continue;
    listed ??= new Set();
    listed.add(name);
  }
  return listed;
}

function dropListed(raw: string[], listed: Set<string>): void {
  let w = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (listed.has(raw[i]!.toLowerCase())) continue;
    raw[w] = raw[i]!;
    raw[w + 1] = raw[i + 1]!;
    w += 2;
  }
  raw.length = w;
}

/**
 * Turns a request's rawHeaders into the headers to send upstream: drops hop-by-hop headers and
 * X-Slipway-Revision, keeps Transfer-Encoding (Node re-frames the body), and sets X-Forwarded-*.
 */
export function rewriteRequestHeaders(
  raw: string[],
  remoteAddress: string | undefined,
  options: RewriteOptions,
  facts: RequestFacts,
): void {
  let w = 0;
  let host: string | undefined;
  let connection: string | undefined;
  let forwardedFor: string | undefined;
  let forwardedProto: string | undefined;
  let forwardedHost: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    let keep = true;
    switch (name.length) {
      case 2:
        keep = name.toLowerCase() !== 'te';
        break;
      case 4:
        if (name.toLowerCase() === 'host') {
          host = value;
          facts.hasHost = true;
        }
        break;
      case 6: {
        const lower = name.toLowerCase();
        if (lower === 'cookie')
          facts.cookie = facts.cookie === undefined ? value : `${facts.cookie}; ${value}`;
        else if (lower === 'expect') keep = false; // the router's server already answered 100-continue
        break;
      }
      case 7: {
        const lower = name.toLowerCase();
        keep = lower !== 'trailer' && (options.upgrade || lower !== 'upgrade');
        break;
      }
      case 10: {
        const lower = name.toLowerCase();
        if (lower === 'connection') {
          connection = connection === undefined ? value : `${connection}, ${value}`;
          keep = options.upgrade;
        } else if (lower === 'keep-alive') keep = false;
        break;
      }
      case 14:
        if (name.toLowerCase() === 'content-length' && value !== '0' && facts.body === 'none')
          facts.body = 'length';
        break;
      case 15:
        if (name.toLowerCase() === 'x-forwarded-for') {
          forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
          keep = false;
        }
        break;
      case 16: {
        const lower = name.toLowerCase();
        if (lower === 'x-forwarded-host') {
          forwardedHost ??= value;
          keep = false;
        } else if (lower === 'proxy-connection') keep = false;
        break;
      }
      case 17: {
        const lower = name.toLowerCase();
        if (lower === 'transfer-encoding') facts.body = 'chunked';
        else if (lower === 'x-forwarded-proto') {
          forwardedProto ??= value;
          keep = false;
        }
        break;
      }
      case 18:
        if (name.toLowerCase() === 'x-slipway-revision') {
          facts.override = value.trim();
          keep = false;
        }
        break;
      case 19:
        keep = name.toLowerCase() !== 'proxy-authorization';
        break;
    }
    if (keep) {
      if (w !== i) {
        raw[w] = name;
        raw[w + 1] = value;
      }
      w += 2;
    }
  }
  raw.length = w;
  if (connection !== undefined) {
    const listed = connectionListed(connection);
    if (listed !== undefined) dropListed(raw, listed);
  }
  const address = remoteAddress ?? 'unknown';
  if (options.trustForwarded) {
    raw.push('x-forwarded-for', forwardedFor === undefined ? address : `${forwardedFor}, ${address}`);
    raw.push('x-forwarded-proto', forwardedProto ?? 'http');
    if (forwardedHost !== undefined || host !== undefined)
      raw.push('x-forwarded-host', (forwardedHost ?? host)!);
  } else {
    raw.push('x-forwarded-for', address, 'x-forwarded-proto', 'http');
    if (host !== undefined) raw.push('x-forwarded-host', host);
  }
}

/**
 * Turns an upstream response's rawHeaders into the headers for the client: drops hop-by-hop
 * headers (Node frames the body itself), any upstream X-Slipway-Revision and X-Slipway-Flag-Variants
 * (read into `facts`: it tells the router, not the client, which flag variants served the request),
 * then appends X-Slipway-Revision and, if given, a Set-Cookie. Returns the upstream's Keep-Alive header.
 */
export function rewriteResponseHeaders(
  raw: string[],
  revisionId: string,
  setCookie: string | undefined,
  facts: ResponseFacts,
): string | undefined {
  let w = 0;
  let keepAlive: string | undefined;
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    let keep = true;
    switch (name.length) {
      case 2:
        keep = name.toLowerCase() !== 'te';
        break;
      case 7: {
        const lower = name.toLowerCase();
        keep = lower !== 'trailer' && lower !== 'upgrade';
        break;
      }
      case 10: {
        const lower = name.toLowerCase();
        if (lower === 'connection') {
          connection = raw[i + 1]!;
          keep = false;
        } else if (lower === 'keep-alive') {
          keepAlive = raw[i + 1]!;
          keep = false;
        }
        break;
      }
      case 16:
        keep = name.toLowerCase() !== 'proxy-connection';
        break;
      case 17:
        keep = name.toLowerCase() !== 'transfer-encoding';
        break;
      case 18:
        keep = name.toLowerCase() !== 'x-slipway-revision';
        break;
      case 23:
        if (name.toLowerCase() === FLAG_VARIANTS_HEADER) {
          const value = raw[i + 1]!;
          facts.flagVariants = facts.flagVariants === undefined ? value : `${facts.flagVariants}, ${value}`;
          keep = false;
        }
        break;
    }
    if (keep) {
      if (w !== i) {
        raw[w] = name;
        raw[w + 1] = raw[i + 1]!;
      }
      w += 2;
    }
  }
  raw.length = w;
  if (connection !== undefined) {
    const listed = connectionListed(connection);
    if (listed !== undefined) dropListed(raw, listed);
  }
  raw.push('x-slipway-revision', revisionId);
  if (setCookie !== undefined) raw.push('set-cookie', setCookie);
  return keepAlive;
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function readCookie(header: string, name: string): string | undefined {
  let from = 0;
  for (;;) {
    const at = header.indexOf(name, from);
    if (at === -1) return undefined;
    const end = at + name.length;
    let before = at - 1;
    while (before >= 0 && (header.charCodeAt(before) === 32 || header.charCodeAt(before) === 9)) before--;
    if ((before < 0 || header.charCodeAt(before) === 59) && header.charCodeAt(end) === 61) {
      const stop = header.indexOf(';', end + 1);
      const value = (stop === -1 ? header.slice(end + 1) : header.slice(end + 1, stop)).trim();
      return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    }
    from = end;
  }
}
