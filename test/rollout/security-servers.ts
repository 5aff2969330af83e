/**
 * Builders for the security check tests: certificates made by the real `openssl` binary, and
 * loopback HTTP and HTTPS servers that record the requests they answer.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { OPENSSL } from '../helpers/outside-program.js';

/** A self-signed certificate and its key, as files and as PEM text. */
export interface TestCertificate {
  readonly certFile: string;
  readonly cert: string;
  readonly key: string;
}

/** Makes a self-signed certificate in `dir` named `name`, valid `days` days, for `cn` and `san`. */
export function certificate(
  dir: string,
  name: string,
  options: { readonly days: number; readonly cn?: string; readonly san?: string },
): TestCertificate {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  execFileSync(
    OPENSSL.command,
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      String(options.days),
      '-subj',
      `/CN=${options.cn ?? 'localhost'}`,
      '-addext',
      `subjectAltName=${options.san ?? 'DNS:localhost,IP:127.0.0.1'}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { certFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** A request a test server answered: its path and its revision header. */
export interface SeenRequest {
  readonly path: string;
  readonly revision: string | undefined;
}

/** A running test server. */
export interface TestServer {
  /** e.g. http://127.0.0.1:41234 or https://127.0.0.1:41234 */
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/** A handler that answers from a table of paths; anything else is 404. */
export type Routes = Readonly<
  Record<string, { status?: number; headers?: Record<string, string>; body?: string } | undefined>
>;

/** Answers `routes`, every response carrying `headers`. */
export function routesHandler(routes: Routes, headers: Record<string, string> = {}) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const route = routes[path];
    res.writeHead(route?.status ?? (route ? 200 : 404), { ...headers, ...(route?.headers ?? {}) });
    res.end(route?.body ?? (route ? '' : 'not found\n'));
  };
}

/** Starts an HTTP server, or an HTTPS one with `tls`, on a free loopback port. */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  tls?: https.ServerOptions,
): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const recorded = (req: IncomingMessage, res: ServerResponse) => {
    const revision = req.headers['x-slipway-revision'];
    seen.push({ path: req.url ?? '/', revision: typeof revision === 'string' ? revision : undefined });
    handler(req, res);
  };
  const server = tls ? https.createServer(tls, recorded) : http.createServer(recorded);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
