/**
 * `gitops.notifications`: who hears about syncs, deploys, rollbacks, approvals, pipelines and
 * failovers, in the seed's words: one entry per channel kind (`slack`, `email`, `github`,
 * `webhook`). Every secret (a Slack webhook URL, an SMTP password, a GitHub token, an HMAC key) is
 * given by the name of a secret, read from the environment or `.slipway/secrets.env` when the
 * server starts sending, never written in slipway.yaml.
 */
import { z } from 'zod';
import { duration } from './fields.js';
import { TRIGGERS } from './notification-triggers.js';
import type { ResolvedNotifications } from './resolved.js';

const secretName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'the name of a secret, such as SLACK_WEBHOOK_URL' });

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

const triggers = z
  .array(z.enum(TRIGGERS))
  .min(1)
  .optional()
  .describe(`Events the channel is sent (default: all of ${TRIGGERS.join(', ')}).`);

const timeout = duration.optional().describe('How long one send may take (default 10s).');

const slack = z
  .strictObject({
    webhook: secretName.describe('Name of the secret holding the incoming-webhook URL.'),
    triggers,
    timeout,
  })
  .describe('A Slack incoming webhook: Block Kit messages linking to the dashboard.');

const email = z
  .strictObject({
    host: z.string().min(1).describe('SMTP server host name.'),
    port: z.int().min(1).max(65535).default(587).describe('SMTP port (587, submission, by default).'),
    secure: z.boolean().default(false).describe('TLS from the first byte (port 465) instead of STARTTLS.'),
    requireTLS: z
      .boolean()
      .default(true)
      .describe('Refuse to send unless the server upgrades with STARTTLS.'),
    user: z.string().min(1).optional().describe('SMTP login name.'),
    password: secretName.optional().describe('Name of the secret holding the SMTP password.'),
    ca: z
      .string()
      .min(1)
      .optional()
      .describe(
        "PEM file of the certificates to trust for the SMTP server besides the system's, relative to the project directory (a private CA).",
      ),
    from: z.string().min(1).describe('The sender, e.g. `Slipway <slipway@example.com>`.'),
    to: z.array(z.string().min(1)).min(1).describe('The recipients.'),
    triggers,
    timeout,
  })
  .describe('Email over SMTP.');

const github = z
  .strictObject({
    baseUrl: httpUrl
      .default('https://api.github.com')
      .describe('REST API root (`https://HOST/api/v3` for GitHub Enterprise).'),
    repository: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: 'expected owner/name, e.g. acme/deploy' })
      .describe('The repository whose commits get the statuses and deployments, `owner/name`.'),
    token: secretName.describe(
      'Name of the secret holding a token with commit status and deployment rights.',
    ),
    codeScanning: z
      .boolean()
      .default(false)
      .describe(
        "Upload each job's findings to GitHub code scanning (SARIF) for the run's commit and branch, once they are recorded; the token then also needs code scanning alerts write access.",
      ),
    triggers,
    timeout,
  })
  .describe('GitHub commit statuses and deployments, and optionally code scanning uploads.');

const webhook = z
  .strictObject({
    url: httpUrl.describe('Where CloudEvents (CDEvents types) are POSTed.'),
    secret: secretName
      .optional()
      .describe('Name of the secret holding the HMAC-SHA256 key signing each body.'),
    triggers,
    timeout,
  })
  .describe('A generic webhook receiving signed CloudEvents.');

/** The channels, by kind; any other key is an unknown channel. */
export const notificationsSchema = z
  .strictObject({
    slack: slack.optional(),
    email: email.optional(),
    github: github.optional(),
    webhook: webhook.optional(),
  })
  .describe('Notification channels by kind: slack, email, github, webhook.');

/** The resolved channels: the ones given, with their defaults. */
export function resolveNotifications(
  input: z.output<typeof notificationsSchema> | undefined,
): ResolvedNotifications | undefined {
  if (!input) return undefined;
  const resolved: Record<string, unknown> = {};
  for (const [kind, settings] of Object.entries(input)) {
    if (!settings) continue;
    const {
      triggers: chosen,
      timeout: ms,
      ...rest
    } = settings as Record<string, unknown> & {
      triggers?: string[];
      timeout?: number;
    };
    resolved[kind] = { ...rest, triggers: chosen ?? [...TRIGGERS], timeoutMs: ms ?? 10_000 };
  }
  return Object.keys(resolved).length > 0 ? (resolved as ResolvedNotifications) : undefined;
}
