/**
 * The fixture app (test/platform/fixtures/app/server.mjs) as an in-process request handler, so
 * the memory platform runs instances without child processes. The same environment picks the
 * same behaviour: MODE (ok, exit, unready, hang, die-later, error, slow), VERSION, LIVE_MS, DELAY_MS;
 * where the process prints its pid, this prints the instance id.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An app as one instance runs it: it either fails to start or answers requests. */
export type MemoryApp =
  | { readonly status: 'exited'; readonly code: number; readonly output: string }
  | { readonly status: 'serving'; readonly handle: (req: IncomingMessage, res: ServerResponse) => void };

/** What an instance gives its app: the environment it would get as a process, and the time. */
export interface AppContext {
  readonly env: Readonly<Record<string, string>>;
  readonly now: () => number;
}

/** Makes the app of one instance start (called again on every restart). */
export type AppFactory = (ctx: AppContext) => MemoryApp;

/** The fixture app's behaviour, as server.mjs implements it. */
export const fixtureApp: AppFactory = ({ env, now }) => {
  const mode = env.MODE ?? 'ok';
  const version = env.VERSION ?? 'v1';
  const instance = env.SLIPWAY_INSTANCE ?? '';
  if (mode === 'exit') return { status: 'exited', code: 3, output: 'fatal: cannot start (MODE=exit)' };
  const startedAt = now();
  const text = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    const url = req.url ?? '/';
    if (url === '/healthz') {
      if (mode === 'hang') return;
      const dead = mode === 'die-later' && now() - startedAt > Number(env.LIVE_MS ?? 1500);
      const failing = mode === 'unready' || dead;
      text(res, failing ? 503 : 200, failing ? 'not ok\n' : 'ok\n');
      return;
    }
    if (mode === 'error') {
      text(res, 500, `broken ${version}\n`);
      return;
    }
    if (mode === 'slow' && !url.startsWith('/slow')) {
      setTimeout(() => text(res, 200, `hello ${version} ${instance}\n`), Number(env.DELAY_MS ?? 300));
      return;
    }
    if (url.startsWith('/slow')) {
      const ms = Number(new URL(url, 'http://x').searchParams.get('ms') ?? 500);
      setTimeout(() => text(res, 200, `slow ${version}\n`), ms);
      return;
    }
    text(res, 200, `hello ${version} ${instance}\n`, { 'x-app-instance': instance });
  };
  return { status: 'serving', handle };
};
