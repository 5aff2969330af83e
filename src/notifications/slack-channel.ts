/**
 * The Slack channel: POSTs a Block Kit message to an incoming-webhook URL. The URL is the secret
 * (anyone holding it can post), so it is kept in a private field and out of every message.
 */
import type { ChannelDeps, NotificationChannel } from './channel.js';
import { httpPost } from './http-post.js';
import type { Notification } from './notification.js';
import { urlSecrets } from './redact.js';
import { slackMessage } from './slack-message.js';

/** Settings of one Slack channel, secrets resolved. */
export interface SlackChannelOptions {
  /** The incoming-webhook URL (a secret). */
  readonly webhookUrl: string;
  readonly timeoutMs: number;
}

/** Sends notifications to one Slack incoming webhook. */
export class SlackChannel implements NotificationChannel {
  readonly kind = 'slack';
  readonly #webhookUrl: string;
  readonly #timeoutMs: number;
  readonly #deps: ChannelDeps;

  constructor(options: SlackChannelOptions, deps: ChannelDeps) {
    this.#webhookUrl = options.webhookUrl;
    this.#timeoutMs = options.timeoutMs;
    this.#deps = deps;
  }

  async send(n: Notification, idempotencyKey: string, signal?: AbortSignal): Promise<void> {
    await httpPost({
      receiver: 'Slack webhook',
      url: this.#webhookUrl,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-slipway-idempotency-key': idempotencyKey,
      },
      body: JSON.stringify(slackMessage(n)),
      timeoutMs: this.#timeoutMs,
      ...(signal === undefined ? {} : { signal }),
      secrets: urlSecrets(this.#webhookUrl),
      now: this.#deps.now,
    });
  }

  toJSON(): { kind: 'slack' } {
    return { kind: this.kind };
  }

  toString(): string {
    return 'SlackChannel';
  }
}
