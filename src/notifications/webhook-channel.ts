/**
 * The generic webhook channel: POSTs a CloudEvents 1.0 structured-mode JSON event
 * (`application/cloudevents+json`) whose type is a CDEvents type, signed with HMAC-SHA256 over the
 * body bytes in `X-Slipway-Signature-256` when a secret is set.
 */
import type { ChannelDeps, NotificationChannel } from './channel.js';
import { cloudEvent } from './cloud-event.js';
import { httpPost } from './http-post.js';
import type { Notification } from './notification.js';
import { urlSecrets } from './redact.js';
import { SIGNATURE_HEADER, signBody } from './webhook-signature.js';

/** Settings of one webhook channel, secrets resolved. */
export interface WebhookChannelOptions {
  readonly url: string;
  /** The HMAC key of the signature header; no header without it. */
  readonly secret?: string;
  /** The CloudEvents `source` (a URI reference) naming this Slipway. */
  readonly source: string;
  readonly timeoutMs: number;
  /** Extra request headers (e.g. a bearer token the receiver wants); their values are secrets. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Sends notifications as signed CloudEvents to one URL. */
export class WebhookChannel implements NotificationChannel {
  readonly kind = 'webhook';
  readonly #options: WebhookChannelOptions;
  readonly #deps: ChannelDeps;

  constructor(options: WebhookChannelOptions, deps: ChannelDeps) {
    this.#options = options;
    this.#deps = deps;
  }

  async send(n: Notification, idempotencyKey: string, signal?: AbortSignal): Promise<void> {
    const { url, secret, source, timeoutMs, headers = {} } = this.#options;
    const body = JSON.stringify(cloudEvent(n, idempotencyKey, source));
    await httpPost({
      receiver: 'webhook',
      url,
      headers: {
        ...headers,
        'content-type': 'application/cloudevents+json; charset=utf-8',
        ...(secret === undefined ? {} : { [SIGNATURE_HEADER]: signBody(body, secret) }),
      },
      body,
      timeoutMs,
      ...(signal === undefined ? {} : { signal }),
      secrets: [...urlSecrets(url), ...(secret === undefined ? [] : [secret]), ...Object.values(headers)],
      now: this.#deps.now,
    });
  }

  toJSON(): { kind: 'webhook' } {
    return { kind: this.kind };
  }

  toString(): string {
    return 'WebhookChannel';
  }
}
