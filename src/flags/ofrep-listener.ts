/**
 * Serves OFREP on node:http from whatever engine is current: the agent's listener on each host,
 * which applications reach on localhost. Plain node:http, not the API server's framework: the
 * single evaluation is the hot path (bench:flags), and a request here is one parse and one answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FlagEngine } from './flag-engine.js';
import { answerOfrep, OFREP_CORS_HEADERS } from './ofrep-service.js';

/** Largest request body read: an evaluation context, not a document. */
const MAX_BODY = 64 * 1024;
const NOT_OFREP = '{"errorDetails":"not an OFREP path: POST /ofrep/v1/evaluate/flags[/{key}]"}';
const TOO_LARGE = '{"errorDetails":"request body too large"}';

/**
 * Handles one request with the engine `current()` returns (an `OPTIONS` preflight included, see
 * ofrep-service.ts on CORS); a 404 for any other path.
 */
export function handleOfrepRequest(
  current: () => FlagEngine,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    if (res.writableEnded) return;
    size += chunk.length;
    if (size > MAX_BODY) {
      // Answer now and close after the answer, rather than destroying the socket under a client
      // still writing (it would see a reset instead of the 413); node discards the rest.
      chunks.length = 0;
      res.writeHead(413, {
        ...OFREP_CORS_HEADERS,
        'content-type': 'application/json',
        'content-length': TOO_LARGE.length,
        connection: 'close',
      });
      res.end(TOO_LARGE);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (res.writableEnded) return;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const inm = req.headers['if-none-match'];
    const answer = answerOfrep(current(), {
      method: req.method ?? 'GET',
      path: q === -1 ? url : url.slice(0, q),
      body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      ifNoneMatch: Array.isArray(inm) ? inm.join(',') : inm,
    });
    if (!answer) {
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': NOT_OFREP.length });
      res.end(NOT_OFREP);
      return;
    }
    // With the length given, the answer goes out in one piece rather than chunked; a 304 or a
    // preflight's 204 has no body and no length.
    if (answer.body === undefined) {
      res.writeHead(answer.status, answer.headers);
      res.end();
      return;
    }
    res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
  });
}

/** An HTTP server answering OFREP from `current()`; the caller listens and closes it. */
export function createOfrepServer(current: () => FlagEngine): Server {
  const server = createServer((req, res) => handleOfrepRequest(current, req, res));
  server.keepAliveTimeout = 65_000;
  return server;
}
