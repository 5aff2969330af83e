/**
 * The email of a notification: subject, plain text, a simple HTML body and the headers that carry
 * the idempotency key (`Message-ID` and `X-Slipway-Idempotency-Key`). Pure: data in, data out.
 */
import { type Notification, notificationFacts, renderText, triggerLabel } from './notification.js';

/** The parts of one email, before addressing. */
export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly date: Date;
}

/** The header carrying the idempotency key as given. */
export const IDEMPOTENCY_HEADER = 'X-Slipway-Idempotency-Key';

/** The email of `n`, sent under `idempotencyKey`. */
export function emailMessage(n: Notification, idempotencyKey: string): EmailMessage {
  return {
    subject: `[Slipway] ${triggerLabel(n.trigger)}: ${n.title}`.replace(/[\r\n]+/g, ' '),
    text: renderText(n),
    html: emailHtml(n),
    messageId: messageIdOf(idempotencyKey),
    headers: { [IDEMPOTENCY_HEADER]: headerSafe(idempotencyKey), 'X-Slipway-Trigger': n.trigger },
    date: new Date(n.at),
  };
}

/**
 * A `Message-ID` made from the idempotency key, so a retry of one delivery carries the same id and
 * mail systems that deduplicate on it keep one copy. Characters RFC 5322 forbids in an id become `-`.
 */
export function messageIdOf(idempotencyKey: string): string {
  const local = idempotencyKey.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g, '-').replace(/^\.+|\.+$/g, '');
  return `<${local.replace(/\.{2,}/g, '.') || 'notification'}@slipway.notifications>`;
}

function emailHtml(n: Notification): string {
  const rows = notificationFacts(n)
    .map(
      ([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const parts = [
    `<h2>${escapeHtml(n.title)}</h2>`,
    `<p><strong>${escapeHtml(triggerLabel(n.trigger))}</strong> at ${new Date(n.at).toISOString()}</p>`,
  ];
  if (n.text !== '') parts.push(`<p>${escapeHtml(n.text).replaceAll('\n', '<br>')}</p>`);
  if (rows !== '') parts.push(`<table>${rows}</table>`);
  if (n.url !== undefined) parts.push(`<p><a href="${escapeHtml(n.url)}">Open in Slipway</a></p>`);
  return `<!doctype html><html><body>${parts.join('\n')}</body></html>`;
}

/** `text` safe inside HTML text and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function headerSafe(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}
