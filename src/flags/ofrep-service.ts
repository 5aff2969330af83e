/**
 * The OpenFeature Remote Evaluation Protocol over a flag engine, independent of any HTTP server:
 * `POST /ofrep/v1/evaluate/flags/{key}` and the bulk `POST /ofrep/v1/evaluate/flags`, whose ETag
 * is a hash of the answer, so a client polling with `If-None-Match` gets a 304 until the answer
 * changes: with the flag set, with the context, or with the time when targeting reads
 * `$flagd.timestamp`. The agent serves it on node:http (ofrep-listener.ts), the server on its API.
 *
 * CORS: a browser application (the OpenFeature web provider) calls OFREP from its own origin, so an
 * `OPTIONS` preflight is answered on both OFREP paths and every answer may be read by any origin
 * (`*`). No answer ever grants credentials: a browser sends no cookie with these requests and would
 * refuse a credentialed answer under `*`; the server's token travels in the Authorization header the
 * application sets itself, which the preflight allows. `*` rather than the Origin echoed: the answer
 * does not depend on who asks, so it needs no `Vary: Origin` and caches alike for every page.
 */
import { createHash } from 'node:crypto';
import type { EvaluationContext } from '@openfeature/core';
import type { FlagEngine } from './flag-engine.js';

/** An OFREP request: the path (without query), the body as text, and `If-None-Match`. */
export interface OfrepRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  readonly ifNoneMatch?: string | undefined;
}

/** What to answer: a status, headers, and a JSON body (absent for 304 and a preflight's 204). */
export interface OfrepResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** The path prefix every OFREP request starts with. */
export const OFREP_PREFIX = '/ofrep/v1/evaluate/flags';

/** What every OFREP answer carries for a browser: any origin may read it, and the ETag with it. */
export const OFREP_CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'ETag',
} as const;

/** A preflight's answer: POST with the headers the OFREP providers send, remembered for 2 hours. */
export const OFREP_PREFLIGHT: OfrepResponse = {
  status: 204,
  headers: {
    ...OFREP_CORS_HEADERS,
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': 'content-type, if-none-match, authorization',
    // Chromium keeps a preflight 2 hours at most (Firefox a day): longer would be ignored.
    'access-control-max-age': '7200',
  },
};

const JSON_HEADERS = { 'content-type': 'application/json', ...OFREP_CORS_HEADERS } as const;

/** Answers one OFREP request; undefined when the path is not an OFREP path. */
export function answerOfrep(engine: FlagEngine, req: OfrepRequest): OfrepResponse | undefined {
  if (!req.path.startsWith(OFREP_PREFIX)) return undefined;
  const rest = req.path.slice(OFREP_PREFIX.length);
  const bulk = rest === '' || rest === '/';
  if (!bulk && !rest.startsWith('/')) return undefined;
  if (req.method !== 'POST') {
    if (req.method === 'OPTIONS') return OFREP_PREFLIGHT;
    return {
      status: 405,
      headers: { ...JSON_HEADERS, allow: 'POST, OPTIONS' },
      body: JSON.stringify({ errorDetails: `${req.method} is not allowed: OFREP evaluations are POSTs` }),
    };
  }
  let key = '';
  if (!bulk) {
    try {
      key = decodeURIComponent(rest.slice(1));
    } catch {
      key = rest.slice(1);
    }
  }
  const context = readContext(req.body);
  if (context === undefined) {
    const failure = {
      errorCode: 'INVALID_CONTEXT',
      errorDetails: 'the body must be JSON: {"context": {...}}',
    };
    return json(400, bulk ? failure : { key, ...failure });
  }
  if (!bulk) {
    const answer = engine.answer(key, context);
    return { status: answer.status, headers: JSON_HEADERS, body: answer.json };
  }
  const body = `{"flags":[${engine
    .answerAll(context)
    .map((a) => a.json)
    .join(',')}],"metadata":${engine.metadataJson}}`;
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  if (req.ifNoneMatch !== undefined && matches(req.ifNoneMatch, etag))
    return { status: 304, headers: { ...OFREP_CORS_HEADERS, etag } };
  return { status: 200, headers: { ...JSON_HEADERS, etag }, body };
}

// If-None-Match compares weakly (RFC 9110 13.1.2): `W/"x"` matches `"x"`, and `*` matches any answer.
function matches(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch.split(',').some((raw) => {
    const tag = raw.trim();
    return tag === '*' || (tag.startsWith('W/') ? tag.slice(2) : tag) === etag;
  });
}

// An empty body is an empty context, as flagd takes it; anything else must be `{context: {...}}`.
function readContext(body: string): EvaluationContext | undefined {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const context = (parsed as { context?: unknown }).context;
  if (context === undefined) return {};
  if (!context || typeof context !== 'object' || Array.isArray(context)) return undefined;
  return context as EvaluationContext;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): OfrepResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}
