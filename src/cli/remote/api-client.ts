/** The CLI's HTTP client of a Slipway server: JSON requests and event streams with a bearer token. */
import { RemoteError } from './remote-error.js';
import { apiUrl, type ServerUrl } from './server-url.js';
import { readSse, type SseMessage } from './sse-reader.js';

/** Query values of a request; undefined ones are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** What a client is made from; `fetch` is injectable for tests. */
export interface ApiClientOptions {
  readonly server: ServerUrl;
  /** Sent as `Authorization: Bearer`; never printed. */
  readonly token: string;
  /** How long a JSON request may take (default 60 s: a deploy answers once its rollout is recorded). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** An open event stream: its messages, and `close` to stop reading. */
export interface OpenStream {
  readonly messages: AsyncGenerator<SseMessage>;
  close(): void;
}

/** Talks to one server with one token; every failure is a RemoteError. */
export class ApiClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The server's base URL, for messages. */
  get url(): string {
    return this.options.server.base;
  }

  /** GETs an API path and returns its JSON body. */
  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, { query }).then((r) => r.body);
  }

  /** POSTs a JSON body (`{}` by default: the API wants one) and returns the status and JSON answer. */
  post<T>(path: string, body: unknown = {}): Promise<{ status: number; body: T }> {
    return this.request<T>('POST', path, { body });
  }

  /** Sends one JSON request; a non-2xx answer becomes a RemoteError carrying the server's message. */
  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.options.token}`,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    const response = await this.send(apiUrl(this.options.server, path, options.query), {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw this.unreachable(error);
    }
    if (!response.ok) throw this.httpError(response, text);
    try {
      return { status: response.status, body: JSON.parse(text) as T };
    } catch (error) {
      throw new RemoteError(
        'BAD_RESPONSE',
        `the server at ${this.url} answered ${method} ${path} with something that is not JSON (is it a Slipway server?)`,
        { cause: error },
      );
    }
  }

  /**
   * Opens a Server-Sent Events stream. Resolves once the server has answered, so events recorded
   * after this resolves are in the stream even without `lastEventId`.
   */
  async openStream(path: string, query: Query = {}, lastEventId?: number): Promise<OpenStream> {
    const controller = new AbortController();
    const response = await this.send(apiUrl(this.options.server, path, query), {
      headers: {
        accept: 'text/event-stream',
        authorization: `Bearer ${this.options.token}`,
        ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }),
      },
      signal: controller.signal,
    });
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw this.httpError(response, text);
    }
    if (!response.body)
      throw new RemoteError('BAD_RESPONSE', `the server at ${this.url} sent no event stream`);
    const body = response.body as unknown as AsyncIterable<Uint8Array>;
    const unreachable = (error: unknown) => this.unreachable(error);
    async function* messages(): AsyncGenerator<SseMessage> {
      try {
        yield* readSse(body);
      } catch (error) {
        // Closing the stream ourselves is the normal way out, not an error.
        if (!controller.signal.aborted) throw unreachable(error);
      }
    }
    return { messages: messages(), close: () => controller.abort() };
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(url, init);
    } catch (error) {
      throw this.unreachable(error);
    }
  }

  private unreachable(error: unknown): RemoteError {
    return new RemoteError(
      'UNREACHABLE',
      `cannot reach the Slipway server at ${this.url}: ${reasonOf(error)}`,
      {
        cause: error,
      },
    );
  }

  private httpError(response: Response, text: string): RemoteError {
    let code: string | undefined;
    let message: string | undefined;
    try {
      const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      if (typeof parsed.error?.message === 'string') message = parsed.error.message;
      if (typeof parsed.error?.code === 'string') code = parsed.error.code;
    } catch {
      // Not the API's JSON (a proxy's page, say): the status line says enough.
    }
    const status = `${response.status}${code ? ` ${code}` : response.statusText ? ` ${response.statusText}` : ''}`;
    return new RemoteError(
      'HTTP',
      message === undefined
        ? `the server at ${this.url} answered HTTP ${status}`
        : `${message} (server answered HTTP ${status})`,
      { status: response.status, ...(code === undefined ? {} : { apiCode: code }) },
    );
  }
}

/** The most useful words of a fetch failure: the socket error under undici's "fetch failed". */
function reasonOf(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'no answer in time';
  let current: unknown = error;
  let reason = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 4 && current instanceof Error && current.cause !== undefined; depth++) {
    current = current.cause;
    // Connecting to a name with several addresses fails with an AggregateError of one error each.
    if (current instanceof AggregateError && current.errors[0] instanceof Error)
      reason = current.errors[0].message;
    else if (current instanceof Error && current.message) reason = current.message;
  }
  return reason;
}
