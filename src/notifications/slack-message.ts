/**
 * The Slack message of a notification: a Block Kit layout (header, section with facts, context line,
 * a button to the dashboard) and the plain `text` fallback Slack shows in notifications and to
 * clients that cannot draw blocks. Pure: data in, JSON-ready data out.
 */
import { type Notification, notificationFacts, renderText, triggerLabel } from './notification.js';

/** A Block Kit text object. */
export interface SlackText {
  readonly type: 'plain_text' | 'mrkdwn';
  readonly text: string;
}

/** The blocks Slipway uses. */
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | {
      readonly type: 'actions';
      readonly elements: readonly {
        readonly type: 'button';
        readonly text: SlackText;
        readonly url: string;
        readonly action_id: string;
      }[];
    };

/** The JSON body POSTed to an incoming webhook. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

// Limits of Block Kit; past them Slack refuses the whole message.
const HEADER_MAX = 150;
const SECTION_TEXT_MAX = 3000;
const FIELD_MAX = 2000;
const FIELDS_MAX = 10;

/** The Block Kit message of a notification. */
export function slackMessage(n: Notification): SlackMessage {
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(n.title, HEADER_MAX) } },
  ];
  const fields = notificationFacts(n)
    .slice(0, FIELDS_MAX)
    .map(
      ([label, value]): SlackText => ({
        type: 'mrkdwn',
        text: clip(`*${label}*\n${escapeMrkdwn(value)}`, FIELD_MAX),
      }),
    );
  const text = n.text === '' ? undefined : clip(escapeMrkdwn(n.text), SECTION_TEXT_MAX);
  if (text !== undefined || fields.length > 0)
    blocks.push({
      type: 'section',
      ...(text === undefined ? {} : { text: { type: 'mrkdwn', text } }),
      ...(fields.length === 0 ? {} : { fields }),
    });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `${triggerLabel(n.trigger)} · ${new Date(n.at).toISOString()}` }],
  });
  if (n.url !== undefined)
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in Slipway' },
          url: n.url,
          action_id: 'slipway-open',
        },
      ],
    });
  return { text: renderText(n), blocks };
}

/** `text` with the three characters Slack's mrkdwn reserves escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
