/**
 * The settings of each notification channel as zod schemas (the single source of truth for their
 * types), with the triggers each subscribes to, and `createChannel`, which builds the channel a
 * parsed config names. Secrets arrive here as resolved values; the channels built keep them in
 * private fields, out of `toString` and JSON.
 */
import { z } from 'zod';
import { duration } from '../config/fields.js';
import type { ChannelDeps, NotificationChannel } from './channel.js';
import { EmailChannel } from './email-channel.js';
import { GithubChannel } from './github-channel.js';
import { GITHUB_TRIGGERS } from './github-plan.js';
import { TRIGGERS, type Trigger } from './notification.js';
import { SlackChannel } from './slack-channel.js';
import { WebhookChannel } from './webhook-channel.js';

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

const triggers = z
  .array(z.enum(TRIGGERS))
  .min(1)
  .default([...TRIGGERS])
  .describe('Events this channel is sent (default: all of them).');

const timeout = duration
  .default(10_000)
  .describe('How long one send may take before it fails as retryable, e.g. `10s` (default: 10s).');

/** A Slack incoming webhook. */
export const slackChannelSchema = z
  .strictObject({
    kind: z.literal('slack').describe('Post to a Slack channel through an incoming webhook.'),
    webhookUrl: httpUrl.describe('The incoming-webhook URL (a secret: anyone holding it can post).'),
    triggers,
    timeout,
  })
  .describe('A Slack channel.');

/** A generic webhook receiving signed CloudEvents. */
export const webhookChannelSchema = z
  .strictObject({
    kind: z.literal('webhook').describe('POST a CloudEvents 1.0 JSON event (CDEvents types) to a URL.'),
    url: httpUrl.describe('The URL the events are POSTed to.'),
    secret: z
      .string()
      .min(16)
      .optional()
      .describe('HMAC-SHA256 key signing each body in `X-Slipway-Signature-256` (default: unsigned).'),
    source: z
      .string()
      .min(1)
      .default('/slipway')
      .describe('The CloudEvents `source` naming this Slipway, a URI reference (default: `/slipway`).'),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string())
      .default({})
      .describe('Extra request headers, e.g. an `Authorization` the receiver wants (default: none).'),
    triggers,
    timeout,
  })
  .describe('A generic webhook.');

/** Mailboxes reached through an SMTP server. */
export const emailChannelSchema = z
  .strictObject({
    kind: z.literal('email').describe('Send an email through an SMTP server.'),
    host: z.string().min(1).describe('SMTP server host name.'),
    port: z.int().min(1).max(65535).default(587).describe('SMTP server port (default: 587, submission).'),
    secure: z
      .boolean()
      .default(false)
      .describe('Use TLS from the first byte (port 465) instead of STARTTLS (default: false).'),
    requireTLS: z
      .boolean()
      .default(true)
      .describe('Refuse to send unless the server upgrades the connection with STARTTLS (default: true).'),
    auth: z
      .strictObject({
        user: z.string().min(1).describe('SMTP login name.'),
        pass: z.string().min(1).describe('SMTP password (a secret).'),
      })
      .optional()
      .describe('SMTP login (default: none, for relays that trust the sender).'),
    from: z.string().min(1).describe('The sender, e.g. `Slipway <slipway@example.com>`.'),
    to: z.array(z.string().min(1)).min(1).describe('The recipients.'),
    tlsCa: z
      .string()
      .optional()
      .describe('PEM certificates to trust for the server besides the system ones (default: none).'),
    triggers,
    timeout,
  })
  .describe('An email channel.');

/** A GitHub repository, told through commit statuses and deployments. */
export const githubChannelSchema = z
  .strictObject({
    kind: z.literal('github').describe('Report to GitHub as commit statuses and deployments.'),
    baseUrl: httpUrl
      .default('https://api.github.com')
      .describe('REST API root; `https://<host>/api/v3` for GitHub Enterprise (default: github.com).'),
    token: z
      .string()
      .min(1)
      .describe('Token with `repo:status` and `repo_deployment` scopes (or a fine-grained equivalent).'),
    triggers: z
      .array(z.enum(GITHUB_TRIGGERS))
      .min(1)
      .default([...GITHUB_TRIGGERS])
      .describe('Events reported: sync and pipeline events as commit statuses, deploys as deployments.'),
    codeScanning: z
      .boolean()
      .optional()
      .describe(
        "Upload each job's recorded findings to GitHub code scanning as SARIF; the token needs code scanning alerts write access (default: false).",
      ),
    timeout,
  })
  .describe('A GitHub channel.');

/** Any one channel, told apart by `kind`. */
export const channelConfigSchema = z
  .discriminatedUnion('kind', [
    slackChannelSchema,
    webhookChannelSchema,
    emailChannelSchema,
    githubChannelSchema,
  ])
  .describe('One notification channel and the events it is sent.');

export type ChannelConfigInput = z.input<typeof channelConfigSchema>;
export type ChannelConfig = z.output<typeof channelConfigSchema>;

/**
 * The triggers the channel of `config` is sent: its `triggers`, and for a GitHub channel with
 * `codeScanning`, `findings.recorded`.
 */
export function triggersOf(config: ChannelConfig): readonly Trigger[] {
  return config.kind === 'github' && config.codeScanning === true
    ? [...config.triggers, 'findings.recorded']
    : config.triggers;
}

/** True when the channel of `config` is sent `trigger` notifications. */
export function subscribes(config: ChannelConfig, trigger: Trigger): boolean {
  return triggersOf(config).includes(trigger);
}

/** The channel a parsed config describes. */
export function createChannel(config: ChannelConfig, deps: ChannelDeps): NotificationChannel {
  switch (config.kind) {
    case 'slack':
      return new SlackChannel({ webhookUrl: config.webhookUrl, timeoutMs: config.timeout }, deps);
    case 'webhook':
      return new WebhookChannel(
        {
          url: config.url,
          source: config.source,
          headers: config.headers,
          timeoutMs: config.timeout,
          ...(config.secret === undefined ? {} : { secret: config.secret }),
        },
        deps,
      );
    case 'email':
      return new EmailChannel({
        host: config.host,
        port: config.port,
        secure: config.secure,
        requireTLS: config.requireTLS,
        from: config.from,
        to: config.to,
        timeoutMs: config.timeout,
        ...(config.auth === undefined ? {} : { auth: config.auth }),
        ...(config.tlsCa === undefined ? {} : { tlsCa: config.tlsCa }),
      });
    case 'github':
      return new GithubChannel(
        {
          baseUrl: config.baseUrl,
          token: config.token,
          timeoutMs: config.timeout,
          codeScanning: config.codeScanning === true,
        },
        deps,
      );
  }
}
