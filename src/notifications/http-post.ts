/**
 * One HTTP POST of a notification (Slack, generic webhooks) through Node's fetch, with a timeout,
 * and the mapping of its outcome to `NotificationError`: network failures, timeouts, 5xx, 408 and
 * 429 are retryable; other 4xx are permanent. The URL is never part of a message.
 */
import { NotificationError } from './errors.js';
import { redactSecrets, safeCause } from './redact.js';

/** One request to send. */
export interface HttpPostRequest {
  /** Names the receiver in messages, e.g. `Slack webhook`; never the URL. */
  readonly receiver: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Values that must never appear in an error (the URL itself, keys, tokens). */
  readonly secrets: readonly string[];
  /** Epoch milliseconds now, for an HTTP-date `Retry-After`. */
  readonly now: () => number;
}

/** Longest part of a receiver's answer quoted in an error. */
const MAX_QUOTE = 200;

/** POSTs `request.body`; resolves on any 2xx, throws `NotificationError` otherwise. */
export async function httpPost(request: HttpPostRequest): Promise<void> {
  const { receiver, signal, secrets } = request;
  if (signal?.aborted) throw new NotificationError('CANCELLED', `sending to the ${receiver} was cancelled`);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    });
  } catch (error) {
    const cause = safeCause(error, secrets);
    if (signal?.aborted)
      throw new NotificationError('CANCELLED', `sending to the ${receiver} was cancelled`, { cause });
    if (timeout.aborted)
      throw new NotificationError(
        'TIMEOUT',
        `the ${receiver} did not answer within ${request.timeoutMs} ms`,
        {
          cause,
        },
      );
    throw new NotificationError('NETWORK_ERROR', `cannot reach the ${receiver}: ${cause.message}`, { cause });
  }
  const answer = await response.text().catch(() => '');
  const error = errorForStatus(
    receiver,
    response.status,
    response.headers.get('retry-after'),
    request.now(),
    redactSecrets(answer.slice(0, MAX_QUOTE), secrets),
  );
  if (error !== undefined) throw error;
}

/**
 * The error an HTTP status means for a notification, or undefined for a 2xx. `answer` is the start of
 * the response body (already redacted), quoted to help the operator.
 */
export function errorForStatus(
  receiver: string,
  status: number,
  retryAfter: string | null,
  now: number,
  answer = '',
): NotificationError | undefined {
  if (status >= 200 && status < 300) return undefined;
  const quoted = answer.trim() === '' ? '' : `: ${answer.trim()}`;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return new NotificationError('RATE_LIMITED', `the ${receiver} is rate limiting (HTTP 429)${quoted}`, {
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 408)
    return new NotificationError('TIMEOUT', `the ${receiver} timed out the request (HTTP 408)${quoted}`, {
      status,
    });
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return new NotificationError('SERVER_ERROR', `the ${receiver} failed (HTTP ${status})${quoted}`, {
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  return new NotificationError(
    'REJECTED',
    `the ${receiver} refused the notification (HTTP ${status})${quoted}`,
    {
      status,
    },
  );
}

/** Milliseconds to wait from a `Retry-After` value (delay-seconds or an HTTP-date), if it parses. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
