/**
 * Tells people what happens, for a server whose project has `gitops.notifications`: it follows
 * the event log, turns the events the channels subscribe to into notifications queued in the
 * outbox (one delivery per event and channel, keyed so that a restarted server or a second one
 * queues nothing twice), and runs the outbox worker that sends them. It resumes after the newest
 * event it queued; on its first start it begins at the end of the log (history is not announced).
 * Secrets are read when the channels are built (environment, else `.slipway/secrets.env`); the
 * config is read again on every look, so changed channels need no restart.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedConfig, ResolvedNotifications } from '../config/resolved.js';
import type { NotificationChannel } from '../notifications/channel.js';
import type { ChannelConfig } from '../notifications/channel-config.js';
import { createChannel, triggersOf } from '../notifications/channel-config.js';
import { notificationOfEvent } from '../notifications/event-notification.js';
import { GITHUB_TRIGGERS } from '../notifications/github-plan.js';
import type { Trigger } from '../notifications/notification.js';
import { enqueueNotification } from '../notifications/outbox.js';
import { OutboxWorker, systemOutboxClock } from '../notifications/outbox-worker.js';
import { readSecretsFile } from '../pipeline/secrets/secrets-file.js';
import type { Store } from '../store/store.js';
import type { ServerLogger } from './background.js';

/** What the notifier is wired with. */
export interface NotifierDeps {
  readonly store: Store;
  readonly projectDir: string;
  readonly loadConfig: () => Promise<ResolvedConfig>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: ServerLogger;
  /** This server as a lease holder of deliveries. */
  readonly owner: string;
  /** How often the log is looked at (default 500 ms). */
  readonly pollMs?: number;
}

interface Running {
  readonly key: string;
  readonly channels: readonly { readonly name: string; readonly triggers: readonly Trigger[] }[];
  readonly stop: AbortController;
  readonly done: Promise<void>;
}

export class Notifier {
  #timer: NodeJS.Timeout | undefined;
  /** Where the log is read from next: after an event, or (on a first start) from a time. */
  #position: { readonly afterId: number } | { readonly since: number } | undefined;
  #running: Running | undefined;
  #looking = false;
  #warned = new Set<string>();

  constructor(private readonly deps: NotifierDeps) {}

  start(): void {
    this.#timer = setInterval(() => void this.look(), this.deps.pollMs ?? 500);
    this.#timer.unref();
    void this.look();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#stopWorker();
  }

  async #stopWorker(): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    running?.stop.abort();
    await running?.done;
  }

  /** One look: channels up to date with the config, and the new events queued. */
  async look(): Promise<void> {
    if (this.#looking) return;
    this.#looking = true;
    try {
      const settings = (await this.deps.loadConfig().catch(() => undefined))?.gitops?.notifications;
      const running = await this.#channels(settings);
      if (!running) return;
      this.#position ??= await this.#resumeAt();
      for (;;) {
        const events = await this.deps.store.listEvents({ ...this.#position, limit: 500 });
        for (const event of events) {
          const notification = notificationOfEvent(event, this.deps.env.SLIPWAY_PUBLIC_URL);
          const repository = settings?.github?.repository;
          if (notification)
            await enqueueNotification(
              this.deps.store,
              repository ? { ...notification, repository } : notification,
              running.channels,
            );
          this.#position = { afterId: event.id };
        }
        if (events.length < 500) break;
      }
    } catch (error) {
      this.deps.logger.error(`notifications: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.#looking = false;
    }
  }

  /** After the newest event already queued; else from now (history is not announced). */
  async #resumeAt(): Promise<{ readonly afterId: number } | { readonly since: number }> {
    const [newest] = await this.deps.store.listNotificationDeliveries({ limit: 1 });
    const queued = /^event-(\d+)\//.exec(newest?.idempotencyKey ?? '')?.[1];
    return queued !== undefined ? { afterId: Number(queued) } : { since: Date.now() };
  }

  /** The running worker for `settings` (restarted when they or their secrets change), or undefined. */
  async #channels(settings: ResolvedNotifications | undefined): Promise<Running | undefined> {
    const built = settings ? this.#build(settings) : [];
    const key = JSON.stringify(built.map(({ name, config }) => [name, config]));
    if (this.#running?.key === key) return this.#running;
    await this.#stopWorker();
    if (built.length === 0) return undefined;
    const channels = new Map<string, NotificationChannel>(
      built.map(({ name, config }) => [
        name,
        createChannel(config, { now: () => Date.now(), findings: this.deps.store }),
      ]),
    );
    const worker = new OutboxWorker({
      store: this.deps.store,
      channels,
      clock: systemOutboxClock(),
      logger: this.deps.logger,
      owner: this.deps.owner,
    });
    const stop = new AbortController();
    const done = worker.run(stop.signal).catch((error: unknown) => {
      this.deps.logger.error(
        `notifications worker: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    this.#running = {
      key,
      channels: built.map(({ name, config }) => ({ name, triggers: triggersOf(config) })),
      stop,
      done,
    };
    return this.#running;
  }

  /** Each configured channel with its secrets read; one whose secret is missing is left out, said once. */
  #build(settings: ResolvedNotifications): { name: string; config: ChannelConfig }[] {
    const file = readSecretsFile(join(this.deps.projectDir, '.slipway', 'secrets.env'));
    const secret = (kind: string, name: string | undefined): string | undefined => {
      if (name === undefined) return undefined;
      const value = this.deps.env[name] ?? file[name];
      if (value === undefined || value === '') {
        const warning = `${kind}:${name}`;
        if (!this.#warned.has(warning)) {
          this.#warned.add(warning);
          this.deps.logger.error(
            `notifications: the ${kind} channel needs the secret ${name}, set neither in the environment nor in .slipway/secrets.env`,
          );
        }
        throw new MissingSecret();
      }
      return value;
    };
    const out: { name: string; config: ChannelConfig }[] = [];
    const add = (name: string, make: () => ChannelConfig) => {
      try {
        out.push({ name, config: make() });
      } catch (error) {
        if (error instanceof MissingSecret) return;
        // A channel that cannot be built (an unreadable CA file) is left out, and said once.
        const message = `notifications: the ${name} channel cannot be built: ${error instanceof Error ? error.message : String(error)}`;
        if (!this.#warned.has(message)) {
          this.#warned.add(message);
          this.deps.logger.error(message);
        }
      }
    };
    const { slack, email, github, webhook } = settings;
    if (slack)
      add('slack', () => ({
        kind: 'slack',
        webhookUrl: secret('slack', slack.webhook) as string,
        triggers: [...slack.triggers],
        timeout: slack.timeoutMs,
      }));
    if (webhook)
      add('webhook', () => {
        const key = secret('webhook', webhook.secret);
        return {
          kind: 'webhook',
          url: webhook.url,
          source: '/slipway',
          headers: {},
          triggers: [...webhook.triggers],
          timeout: webhook.timeoutMs,
          ...(key !== undefined ? { secret: key } : {}),
        };
      });
    if (email)
      add('email', () => {
        const password = secret('email', email.password);
        return {
          kind: 'email',
          host: email.host,
          port: email.port,
          secure: email.secure,
          requireTLS: email.requireTLS,
          from: email.from,
          to: [...email.to],
          triggers: [...email.triggers],
          timeout: email.timeoutMs,
          ...(email.ca !== undefined
            ? { tlsCa: readFileSync(resolve(this.deps.projectDir, email.ca), 'utf8') }
            : {}),
          ...(email.user !== undefined && password !== undefined
            ? { auth: { user: email.user, pass: password } }
            : {}),
        };
      });
    if (github)
      add('github', () => ({
        kind: 'github',
        baseUrl: github.baseUrl,
        token: secret('github', github.token) as string,
        triggers: github.triggers.filter((t): t is GithubTrigger =>
          (GITHUB_TRIGGERS as readonly string[]).includes(t),
        ),
        codeScanning: github.codeScanning,
        timeout: github.timeoutMs,
      }));
    return out;
  }
}

class MissingSecret extends Error {}

type GithubTrigger = (typeof GITHUB_TRIGGERS)[number];
