// Real sockets for router tests: upstream HTTP servers on ephemeral loopback ports, a small HTTP
// client, and a guard that fails the suite on any uncaught exception or unhandled rejection.
import assert from 'node:assert/strict';
import {
  type Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import type { RouteInstance } from '../../../src/router/route-table.js';
import { Router, type RouterOptions } from '../../../src/router/router.js';

/** Fails the suite if anything throws outside a test's own promise chain. */
export function guardProcess(): void {
  const problems: unknown[] = [];
  const record = (error: unknown): void => {
    problems.push(error);
  };
  before(() => {
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
  });
  after(() => {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
    assert.deepEqual(problems, [], 'uncaught exceptions or unhandled rejections');
  });
}

export function listen(server: Server | import('node:net').Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** A test upstream: a node HTTP server that answers `name` unless given a handler. */
export interface TestUpstream {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
  /** Requests received so far. */
  received: number;
  /** Stops accepting, lets in-flight requests finish (answering them with `connection: close`). */
  close(): Promise<void>;
  instance(ready?: boolean): RouteInstance;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, upstream: TestUpstream) => void;

const answerName: Handler = (req, res, upstream) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'text/plain');
    res.end(upstream.name);
  });
};

export async function startUpstream(name: string, handler: Handler = answerName): Promise<TestUpstream> {
  let closing = false;
  const server = createServer();
  const upstream: TestUpstream = {
    name,
    port: 0,
    server,
    received: 0,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
    instance: (ready = true) => ({ id: name, host: '127.0.0.1', port: upstream.port, ready }),
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    upstream.received++;
    if (closing) res.setHeader('connection', 'close');
    handler(req, res, upstream);
  });
  (upstream as { port: number }).port = await listen(server);
  return upstream;
}

/** A router on an ephemeral port, closed after the suite. */
export async function startRouter(
  options: Omit<RouterOptions, 'port'> = {},
): Promise<{ router: Router; port: number }> {
  const router = new Router({ port: 0, ...options });
  const port = await router.listen();
  return { router, port };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface SendOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: Agent | false;
  timeoutMs?: number;
}

/** One request; rejects on any transport error. */
export function send(port: number, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString() });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 5 ms until true or `timeoutMs` passes. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}
