// Test harness: a real server on an ephemeral 127.0.0.1 port over a temp project and a real store.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToken, hashToken, ROLES } from '../../../src/access/api-token.js';
import { loadConfigFile } from '../../../src/config/load-config.js';
import { PipelineError } from '../../../src/pipeline/errors.js';
import { LocalPlatform } from '../../../src/platform/local/local-platform.js';
import { systemClock } from '../../../src/rollout/rollout-clock.js';
import { createServer, type SlipwayServer } from '../../../src/server/create-server.js';
import type { ServerDeps } from '../../../src/server/server-context.js';
import { signWebhookBody } from '../../../src/server/webhook-signature.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store, TokenRole } from '../../../src/store/store.js';

/** A running server, its tokens (one per role) and a fetch helper. */
export interface Harness {
  readonly url: string;
  readonly projectDir: string;
  readonly store: Store;
  readonly server: SlipwayServer;
  readonly tokens: Readonly<Record<TokenRole, string>>;
  readonly logs: string[];
  api(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface RequestOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Sent as is, with content-type application/json. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  readonly json: any;
}

/** A project folder holding `yaml` as slipway.yaml. */
export async function tempProject(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-server-'));
  await writeFile(join(dir, 'slipway.yaml'), yaml);
  return dir;
}

/** Starts a server over `projectDir` with `store` (SQLite in the project by default); `extra` overrides deps. */
export async function startServer(
  projectDir: string,
  store?: Store,
  extra: Partial<ServerDeps> = {},
): Promise<Harness> {
  const opened = store ?? (await openStore({ projectDir }));
  const logs: string[] = [];
  const file = join(projectDir, 'slipway.yaml');
  const server = createServer({
    store: opened,
    projectDir,
    loadConfig: async () => {
      const result = loadConfigFile(file);
      if (!result.config) throw new PipelineError('CONFIG_INVALID', `${file} is invalid`);
      return result.config;
    },
    // No agent command: the platform never starts an agent from a test.
    platform: new LocalPlatform({ stateDir: join(projectDir, '.slipway') }),
    clock: systemClock(),
    logger: { info: (m) => logs.push(m), error: (m) => logs.push(`error: ${m}`) },
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    concurrency: 2,
    pollMs: 50,
    ...extra,
  });
  const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const tokens = {} as Record<TokenRole, string>;
  for (const role of ROLES) {
    const token = generateToken();
    await opened.createToken({ name: `${role}-token`, role, hash: hashToken(token), createdBy: 'test' });
    tokens[role] = token;
  }
  return {
    url,
    projectDir,
    store: opened,
    server,
    tokens,
    logs,
    async api(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.rawBody !== undefined || options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = options.rawBody ?? JSON.stringify(options.body);
      }
      const response = await fetch(`${url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
    async close() {
      await server.close();
      if (!store) await opened.close();
      await rm(projectDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every `pollMs` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  pollMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** A push of `after` to `ref`, as GitHub's push webhook describes it. */
export interface PushHook {
  readonly ref: string;
  readonly after: string;
  readonly repository: { readonly full_name: string; readonly clone_url: string };
  readonly pusher: string;
  /** The `X-GitHub-Delivery` id (a redelivery repeats it). */
  readonly delivery: string;
}

/** Sends `push` to the server's GitHub webhook endpoint, signed with `secret` as GitHub signs it. */
export function sendPush(h: Harness, secret: string, push: PushHook): Promise<ApiResponse> {
  const body = JSON.stringify({
    ref: push.ref,
    after: push.after,
    repository: push.repository,
    pusher: { name: push.pusher },
  });
  return h.api('POST', '/api/v1/hooks/github', {
    rawBody: body,
    headers: {
      'x-github-event': 'push',
      'x-github-delivery': push.delivery,
      'x-hub-signature-256': signWebhookBody(secret, body),
    },
  });
}

/** One parsed Server-Sent Event. */
export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the data of an event is arbitrary JSON
  readonly data: any;
}

/** Reads an SSE stream until `until` returns true for an event (or the time is up); returns the events. */
export async function readSse(
  url: string,
  token: string,
  until: (event: SseEvent) => boolean,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number; contentType: string | null; events: SseEvent[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 20_000);
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, ...options.headers },
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  if (response.status !== 200 || !response.body) {
    clearTimeout(timer);
    return { status: response.status, contentType: response.headers.get('content-type'), events };
  }
  const decoder = new TextDecoder();
  let buffer = '';
  let matched = false;
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
        }
        if (!fields.has('data')) continue;
        const event = {
          id: fields.get('id'),
          event: fields.get('event'),
          data: JSON.parse(fields.get('data') ?? 'null'),
        };
        events.push(event);
        if (until(event)) {
          matched = true;
          break;
        }
      }
      if (matched) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    throw new Error(
      `SSE stream timed out after ${events.length} events: ${events.map((e) => e.event).join(', ')}`,
    );
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  if (!matched) throw new Error(`SSE stream ended after ${events.length} events without the awaited one`);
  return { status: 200, contentType: response.headers.get('content-type'), events };
}
