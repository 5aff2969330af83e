/**
 * The hello service as a pure request handler: no sockets, no process state. server.ts binds
 * it to a port; the unit tests bind it to an ephemeral one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import routeTable from './routes.json' with { type: 'json' };

/** One documented route; routes.json is also read by scripts/generate-docs.mjs. */
export interface Route {
  method: string;
  path: string;
  summary: string;
  query: readonly { name: string; description: string }[];
  responses: readonly { status: number; body: string; when?: string }[];
}

export const routes: readonly Route[] = routeTable;

export const MAX_NAME_LENGTH = 64;
export const MAX_SLOW_MS = 2000;
const DEFAULT_SLOW_MS = 500;

export interface AppOptions {
  /** Version reported by `/` and `/healthz`. */
  version: string;
  /** True once the server is shutting down: responses then ask the client to close the connection. */
  isClosing?: () => boolean;
  /** A deliberately broken build (APP_BROKEN=1): every route but /healthz answers 500. */
  broken?: boolean;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;
type RouteHandler = (query: URLSearchParams, res: ServerResponse) => void;

/** APP_VERSION when set, else the version in package.json, else `0.0.0-unknown`. */
export function resolveVersion(env: NodeJS.ProcessEnv, readPackageJson: () => string): string {
  const fromEnv = env.APP_VERSION?.trim();
  if (fromEnv) return fromEnv;
  try {
    const version: unknown = JSON.parse(readPackageJson()).version;
    if (typeof version === 'string' && version !== '') return version;
  } catch {
    // Missing or unreadable package.json: fall through.
  }
  return '0.0.0-unknown';
}

/** Creates the request handler of the service. */
export function createApp({ version, isClosing = () => false, broken = false }: AppOptions): RequestHandler {
  const send = (res: ServerResponse, status: number, type: string, body: string): void => {
    res.statusCode = status;
    res.setHeader('content-type', `${type}; charset=utf-8`);
    res.setHeader('content-length', Buffer.byteLength(body));
    res.setHeader('x-content-type-options', 'nosniff');
    if (isClosing()) res.setHeader('connection', 'close');
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, value: unknown): void =>
    send(res, status, 'application/json', JSON.stringify(value));

  const handlers: Record<string, RouteHandler> = {
    '/': (_query, res) => send(res, 200, 'text/plain', `Hello from hello ${version}!\n`),
    '/healthz': (_query, res) => json(res, 200, { status: 'ok', version }),
    '/api/greet': (query, res) => {
      const name = query.get('name')?.trim() ?? '';
      if (name === '') return json(res, 400, { error: 'query parameter "name" is required' });
      if ([...name].length > MAX_NAME_LENGTH) {
        return json(res, 400, {
          error: `query parameter "name" is longer than ${MAX_NAME_LENGTH} characters`,
        });
      }
      json(res, 200, { message: `Hello, ${name}!` });
    },
    '/api/slow': (query, res) => {
      const raw = query.get('ms') ?? String(DEFAULT_SLOW_MS);
      const ms = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(ms <= MAX_SLOW_MS)) {
        return json(res, 400, { error: `query parameter "ms" must be an integer from 0 to ${MAX_SLOW_MS}` });
      }
      setTimeout(() => {
        if (!res.destroyed) json(res, 200, { sleptMs: ms });
      }, ms);
    },
  };

  return (req, res) => {
    const target = req.url ?? '/';
    const queryStart = target.indexOf('?');
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    const handler = Object.hasOwn(handlers, path) ? handlers[path] : undefined;
    if (!handler) return json(res, 404, { error: 'not found', path });
    if (broken && path !== '/healthz') return json(res, 500, { error: `hello ${version} is broken` });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return json(res, 405, { error: `method ${req.method} not allowed` });
    }
    handler(new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1)), res);
  };
}
