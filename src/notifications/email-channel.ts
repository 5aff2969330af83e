/**
 * The email channel: sends a notification over SMTP with nodemailer, to a fixed list of mailboxes.
 * STARTTLS can be required (`requireTLS`) or implicit TLS used (`secure`); the password stays in a
 * private field and out of every error.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type { NotificationChannel } from './channel.js';
import { emailMessage } from './email-message.js';
import { NotificationError } from './errors.js';
import type { Notification } from './notification.js';
import { errorCode, safeCause } from './redact.js';

/** Settings of one email channel, secrets resolved. */
export interface EmailChannelOptions {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  /** Refuse to send unless the connection is upgraded with STARTTLS. */
  readonly requireTLS: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  readonly from: string;
  readonly to: readonly string[];
  readonly timeoutMs: number;
  /** PEM certificates to trust besides the system's (a private CA or a self-signed server). */
  readonly tlsCa?: string;
}

/** Sends notifications by SMTP. */
export class EmailChannel implements NotificationChannel {
  readonly kind = 'email';
  readonly #options: EmailChannelOptions;
  readonly #transport: Transporter;

  constructor(options: EmailChannelOptions) {
    this.#options = options;
    this.#transport = createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      requireTLS: options.requireTLS,
      ...(options.auth === undefined ? {} : { auth: { user: options.auth.user, pass: options.auth.pass } }),
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      ...(options.tlsCa === undefined ? {} : { tls: { ca: options.tlsCa } }),
    });
  }

  async send(n: Notification, idempotencyKey: string, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new NotificationError('CANCELLED', 'sending the email was cancelled');
    const message = emailMessage(n, idempotencyKey);
    const sending = this.#transport.sendMail({
      from: this.#options.from,
      to: [...this.#options.to],
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: message.messageId,
      headers: { ...message.headers },
      date: message.date,
    });
    try {
      // nodemailer cannot abort a send: the caller stops waiting, the server may still get the mail.
      await (signal === undefined ? sending : raceAbort(sending, signal));
    } catch (error) {
      if (error instanceof NotificationError) throw error;
      throw this.#errorOf(error);
    }
  }

  #errorOf(error: unknown): NotificationError {
    const secrets = this.#options.auth === undefined ? [] : [this.#options.auth.pass];
    const cause = safeCause(error, secrets);
    const where = `the SMTP server ${this.#options.host}:${this.#options.port}`;
    const code = errorCode(error);
    if (code === 'EAUTH')
      return new NotificationError('BAD_CONFIG', `${where} refused the login: ${cause.message}`, { cause });
    if (code === 'ETLS' || isCertificateFailure(error))
      return new NotificationError('BAD_CONFIG', `no secure connection to ${where}: ${cause.message}`, {
        cause,
      });
    const reply = responseCodeOf(error);
    if (reply !== undefined && reply >= 500)
      return new NotificationError('REJECTED', `${where} refused the email (${reply}): ${cause.message}`, {
        status: reply,
        cause,
      });
    if (reply !== undefined && reply >= 400)
      return new NotificationError(
        'SERVER_ERROR',
        `${where} deferred the email (${reply}): ${cause.message}`,
        {
          status: reply,
          cause,
        },
      );
    switch (code) {
      case 'ETIMEDOUT':
        return new NotificationError('TIMEOUT', `${where} did not answer in time: ${cause.message}`, {
          cause,
        });
      case 'EENVELOPE':
      case 'EMESSAGE':
        return new NotificationError('REJECTED', `${where} refused the email: ${cause.message}`, { cause });
      default:
        return new NotificationError('NETWORK_ERROR', `cannot send through ${where}: ${cause.message}`, {
          cause,
        });
    }
  }

  toJSON(): { kind: 'email'; host: string; port: number; to: readonly string[] } {
    return { kind: this.kind, host: this.#options.host, port: this.#options.port, to: this.#options.to };
  }

  toString(): string {
    return `EmailChannel(${this.#options.host}:${this.#options.port})`;
  }
}

/** A TLS handshake that failed on the server's certificate: trust must be configured, retrying won't help. */
function isCertificateFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('originalCode' in error)) return false;
  const code = error.originalCode;
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code);
}

function responseCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('responseCode' in error)) return undefined;
  return typeof error.responseCode === 'number' ? error.responseCode : undefined;
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new NotificationError('CANCELLED', 'sending the email was cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
