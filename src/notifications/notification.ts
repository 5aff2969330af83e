/**
 * The message model every channel sends: plain readonly data describing one event of Slipway
 * (a sync, a deploy, a rollback, ...), and the pure rendering of its human text.
 */

import { type Trigger as SubscribableTrigger, TRIGGERS } from '../config/notification-triggers.js';

/** The events a channel subscribes to by name in `triggers:`. */
export { type SubscribableTrigger, TRIGGERS };

/**
 * Events a channel is sent because of an option rather than a name in `triggers:`: a job's recorded
 * findings, which the GitHub channel uploads to code scanning when `codeScanning: true`.
 */
export const OPTION_TRIGGERS = ['findings.recorded'] as const;

/** Every trigger a notification can have. */
export type Trigger = SubscribableTrigger | (typeof OPTION_TRIGGERS)[number];

/** True when `value` is a trigger, subscribable or not. */
export function isTrigger(value: unknown): value is Trigger {
  return (
    typeof value === 'string' &&
    ((TRIGGERS as readonly string[]).includes(value) ||
      (OPTION_TRIGGERS as readonly string[]).includes(value))
  );
}

/** How the event's work ended, where it has an end. */
export type Outcome = 'success' | 'failure' | 'error' | 'cancelled';

/** One notification: what happened, where, and where to read more. */
export interface Notification {
  readonly trigger: Trigger;
  /** Stable id of the event, the same on every retry. */
  readonly id: string;
  readonly title: string;
  readonly text: string;
  readonly service?: string;
  readonly environment?: string;
  /** Full commit SHA the event is about. */
  readonly commitSha?: string;
  /** `owner/name` of the GitHub repository the commit belongs to. */
  readonly repository?: string;
  /** Link to the event in Slipway's dashboard. */
  readonly url?: string;
  /** When the event happened, epoch milliseconds. */
  readonly at: number;
  readonly outcome?: Outcome;
  /** Where the environment serves, e.g. the URL of the deployed service. */
  readonly environmentUrl?: string;
  /** The pipeline or run the event belongs to, for pipeline triggers. */
  readonly pipeline?: string;
  /** The region traffic moved from and to, for `region.failedover`. */
  readonly fromRegion?: string;
  readonly toRegion?: string;
  /** The findings a `findings.recorded` notification is about. */
  readonly findings?: FindingsReference;
}

/** One job's recorded findings: where they are stored and what GitHub code scanning files them under. */
export interface FindingsReference {
  readonly run: number;
  readonly job: string;
  /** The run's branch; code scanning files an analysis under a ref. */
  readonly branch?: string;
  /** The tools of the job's reports, each sent even when it found nothing, so fixed alerts close. */
  readonly tools: readonly string[];
}

const TRIGGER_LABELS: Readonly<Record<Trigger, string>> = {
  'sync.succeeded': 'Sync succeeded',
  'sync.failed': 'Sync failed',
  'deploy.completed': 'Deploy completed',
  'rollout.rolledback': 'Rollout rolled back',
  'health.degraded': 'Health degraded',
  'approval.waiting': 'Approval waiting',
  'pipeline.failed': 'Pipeline failed',
  'region.failedover': 'Region failed over',
  'infra.drifted': 'Infrastructure drifted',
  'findings.recorded': 'Findings recorded',
};

/** The short human label of a trigger, e.g. `Deploy completed`. */
export function triggerLabel(trigger: Trigger): string {
  return TRIGGER_LABELS[trigger];
}

/** The `key: value` facts of a notification that are set, in a fixed order. */
export function notificationFacts(n: Notification): readonly (readonly [string, string])[] {
  const facts: (readonly [string, string])[] = [];
  const add = (label: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') facts.push([label, value]);
  };
  add('Service', n.service);
  add('Environment', n.environment);
  add('Pipeline', n.pipeline);
  add('Outcome', n.outcome);
  add('Repository', n.repository);
  add('Commit', n.commitSha === undefined ? undefined : n.commitSha.slice(0, 12));
  if (n.fromRegion !== undefined || n.toRegion !== undefined)
    add('Region', `${n.fromRegion ?? '?'} -> ${n.toRegion ?? '?'}`);
  add('Environment URL', n.environmentUrl);
  return facts;
}

/**
 * The plain-text rendering of a notification, the same in every channel: title line, text, the
 * facts one per line, the time in UTC and the dashboard link.
 */
export function renderText(n: Notification): string {
  const lines = [`[${triggerLabel(n.trigger)}] ${n.title}`];
  if (n.text !== '') lines.push('', n.text);
  const facts = notificationFacts(n);
  if (facts.length > 0) lines.push('', ...facts.map(([label, value]) => `${label}: ${value}`));
  lines.push('', `At: ${new Date(n.at).toISOString()}`);
  if (n.url !== undefined) lines.push(`Details: ${n.url}`);
  return lines.join('\n');
}
