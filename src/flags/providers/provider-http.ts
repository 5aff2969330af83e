/**
 * One JSON call to a flag service's REST API (LaunchDarkly, Split) through fetch: a timeout per
 * attempt, bounded retries while the service rate-limits (HTTP 429), and failures as FlagError
 * FLAG_PROVIDER_FAILED. No message ever carries the token: the service's own words are redacted.
 */
import { FlagError } from '../errors.js';

/** The part of `fetch` the providers use; tests pass their own. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** How one service is called. */
export interface ServiceClientOptions {
  /** Names the service in messages: `LaunchDarkly`, `Split`. */
  readonly service: string;
  /** Values that must never appear in an error (the token). */
  readonly secrets: readonly string[];
  /** Per attempt. */
  readonly timeoutMs: number;
  /** Further attempts after a 429 before giving up. */
  readonly maxRetries: number;
  /** The longest wait a 429 may ask for; a longer one fails at once rather than stall the rollout. */
  readonly maxWaitMs: number;
  /** The wait a 429 asks for, from its headers (each service names them differently). */
  readonly retryAfterMs: (headers: Headers, now: number) => number | undefined;
  readonly fetch: FetchLike;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/** One request; `action` says what it does, for messages (`reading flag 'checkout'`). */
export interface ServiceRequest {
  readonly method: 'GET' | 'PATCH';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly action: string;
}

/** The service's answer (any status but 429): its JSON body, or its text, and its message redacted. */
export interface ServiceAnswer {
  readonly status: number;
  readonly body: unknown;
  /** The service's `message` (or the start of its text), without secrets; '' when it said nothing. */
  readonly message: string;
}

/** Longest part of a service's answer quoted in an error. */
const MAX_QUOTE = 300;
/** The first wait when a 429 names none; doubled on each further 429. */
const FIRST_BACKOFF_MS = 1_000;

/** Sends `request`, retrying 429s; rejects with FLAG_PROVIDER_FAILED when the service cannot be reached. */
export async function callService(
  options: ServiceClientOptions,
  request: ServiceRequest,
): Promise<ServiceAnswer> {
  for (let attempt = 0; ; attempt++) {
    const response = await send(options, request);
    const text = await response.text().catch(() => '');
    if (response.status !== 429) return answerOf(response.status, text, options.secrets);
    const asked = options.retryAfterMs(response.headers, options.now());
    const waitMs = asked ?? FIRST_BACKOFF_MS * 2 ** attempt;
    const said = answerOf(429, text, options.secrets).message;
    if (attempt >= options.maxRetries || waitMs > options.maxWaitMs)
      throw new FlagError(
        'FLAG_PROVIDER_FAILED',
        `${options.service} is rate limiting ${request.action} (HTTP 429${
          asked === undefined ? '' : `, asks to wait ${Math.ceil(asked / 1000)} s`
        }) after ${attempt + 1} attempt(s)${said === '' ? '' : `: ${said}`}`,
      );
    await options.sleep(waitMs);
  }
}

/** The FLAG_PROVIDER_FAILED error for an answer the provider cannot use. */
export function refusal(service: string, action: string, answer: ServiceAnswer, hint = ''): FlagError {
  const said = answer.message === '' ? '' : `: ${answer.message}`;
  return new FlagError(
    'FLAG_PROVIDER_FAILED',
    `${service} refused ${action} (HTTP ${answer.status})${said}${hint === '' ? '' : ` (${hint})`}`,
  );
}

/** A hint for the statuses every service shares. */
export function hintFor(status: number, credential: string): string {
  if (status === 401) return `check the ${credential}`;
  if (status === 403) return `the ${credential} may not do this`;
  if (status >= 500) return 'the service failed; try again later';
  return '';
}

/** Waits with setTimeout: the default `sleep`. */
export function sleepFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Replaces every secret in `text`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('[redacted]');
  return out;
}

/** A whole number of milliseconds from a header of seconds, if it is one. */
export function secondsHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)?.trim();
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return Math.ceil(Number(value) * 1000);
}

async function send(options: ServiceClientOptions, request: ServiceRequest): Promise<Response> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    return await options.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'manual',
      signal: timeout,
    });
  } catch (error) {
    const why = timeout.aborted
      ? `no answer within ${options.timeoutMs} ms`
      : redact(reasonOf(error), options.secrets);
    // The cause is a redacted copy: the original's own causes are not ours to show.
    throw new FlagError(
      'FLAG_PROVIDER_FAILED',
      `cannot reach ${options.service} for ${request.action}: ${why}`,
      {
        cause: new Error(why),
      },
    );
  }
}

function answerOf(status: number, text: string, secrets: readonly string[]): ServiceAnswer {
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: the text is the answer.
  }
  const field =
    typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string'
      ? body.message
      : typeof body === 'string'
        ? body
        : '';
  const message = redact(field.trim().replace(/\s+/g, ' ').slice(0, MAX_QUOTE), secrets);
  return { status, body, message };
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
