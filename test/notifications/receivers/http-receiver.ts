/**
 * A real HTTP server on 127.0.0.1 standing in for a Slack webhook, a generic webhook or the GitHub
 * API: it records every request (method, path, headers, exact body bytes) and answers from a
 * queue of scripted responses, then with the default one.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The status the receiver answered with. */
  readonly status: number;
}

/** One answer. */
export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Answers a request; lets a receiver compute its answer (the GitHub stand-in validates first). */
export type Responder = (request: Omit<ReceivedRequest, 'status'>) => ScriptedResponse;

/** A running receiver. */
export interface HttpReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** Answers the next request(s) with these, in order. */
  respondNext(...responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

/** Starts a receiver answering with `responder` once the scripted answers are used up. */
export async function startHttpReceiver(
  responder: Responder = () => ({ status: 200, body: 'ok' }),
): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const queue: ScriptedResponse[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      let answer: ScriptedResponse;
      try {
        answer = queue.shift() ?? responder(request);
      } catch (error) {
        answer = { status: 599, body: error instanceof Error ? error.message : String(error) };
      }
      requests.push({ ...request, status: answer.status });
      res.writeHead(answer.status, answer.headers ?? { 'content-type': 'text/plain' });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    respondNext: (...responses) => {
      queue.push(...responses);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
