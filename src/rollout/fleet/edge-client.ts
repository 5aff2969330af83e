/**
 * Talking to a running edge: where its control socket is (`<project>/.slipway/edge/<env>.sock`) and
 * its two requests. No socket, or nothing answering on it, is `no_edge`; an error the edge answers
 * comes back as an EdgeError with its message.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import type { EdgeStatus, FailoverAnswer } from './edge-control.js';
import { EdgeError } from './edge-errors.js';

/** The control socket of the edge of `env` in the project at `projectDir`. */
export function edgeSocketPath(projectDir: string, env: string): string {
  return join(projectDir, '.slipway', 'edge', `${env}.sock`);
}

/** How long a request may take: a `from` waits for its switch on the edge's side. */
const REQUEST_TIMEOUT_MS = 60_000;

function call<T>(socketPath: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        agent: false,
        method,
        path,
        headers:
          text === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) =>
          reject(
            new EdgeError('edge_failed', `the edge's answer broke off: ${error.message}`, { cause: error }),
          ),
        );
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch (error) {
            reject(
              new EdgeError('edge_failed', `the edge answered ${res.statusCode} without JSON`, {
                cause: error,
              }),
            );
            return;
          }
          const failure = (parsed as { error?: { message?: unknown } } | null)?.error;
          if ((res.statusCode ?? 500) >= 400 || failure !== undefined) {
            const message =
              typeof failure?.message === 'string' ? failure.message : `status ${res.statusCode}`;
            reject(new EdgeError(res.statusCode === 400 ? 'bad_request' : 'edge_failed', message));
            return;
          }
          resolve(parsed as T);
        });
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      const gone = error.code === 'ENOENT' || error.code === 'ECONNREFUSED';
      reject(
        new EdgeError(
          gone ? 'no_edge' : 'edge_failed',
          gone ? `no edge answers on ${socketPath}` : error.message,
          {
            cause: error,
          },
        ),
      );
    });
    req.end(text);
  });
}

/** The status of the edge on `socketPath`. */
export function edgeStatus(socketPath: string): Promise<EdgeStatus> {
  return call<EdgeStatus>(socketPath, 'GET', '/v1/status');
}

/** Sends `failover --from REGION` (`from`) or `--restore REGION` (`restore`) to the edge on `socketPath`. */
export function sendFailover(
  socketPath: string,
  command: { readonly from: string } | { readonly restore: string },
  actor?: string,
): Promise<FailoverAnswer> {
  return call<FailoverAnswer>(socketPath, 'POST', '/v1/failover', {
    ...command,
    ...(actor ? { actor } : {}),
  });
}
