/**
 * Which events of the log people are told about, and how: a pure mapping from a stored event to a
 * notification (or none), in Argo CD notifications' spirit. The notification's id is the event's
 * (`event-<id>`), so every server maps one event to the same deliveries.
 */
import type { StoredEvent } from '../store/store.js';
import type { FindingsReference, Notification, Outcome, Trigger } from './notification.js';

/** The notification an event makes, or undefined when nobody is told about it. */
export function notificationOfEvent(event: StoredEvent, dashboardUrl?: string): Notification | undefined {
  const made = describe(event);
  if (!made) return undefined;
  const where = event.service && event.environment ? `${event.service}@${event.environment}` : undefined;
  return {
    id: `event-${event.id}`,
    at: event.time,
    ...made,
    ...(event.service ? { service: event.service } : {}),
    ...(event.environment ? { environment: event.environment } : {}),
    ...(event.commitSha ? { commitSha: event.commitSha } : {}),
    ...(dashboardUrl ? { url: linkOf(dashboardUrl, event) } : {}),
    title: where ? `${made.title}: ${where}` : made.title,
  };
}

type Made = {
  trigger: Trigger;
  title: string;
  text: string;
  outcome?: Outcome;
  pipeline?: string;
  fromRegion?: string;
  findings?: FindingsReference;
};

function describe(event: StoredEvent): Made | undefined {
  const data = event.data;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  switch (event.type) {
    case 'gitops.synced':
      return {
        trigger: 'sync.succeeded',
        title: 'Synced',
        text: `${text(data.revision)} from ${text(data.commit).slice(0, 12)} ${text(data.subject)} (${text(data.author)})`.trim(),
        outcome: 'success',
      };
    case 'gitops.failed':
      return {
        trigger: 'sync.failed',
        title: 'Sync failed',
        text: `${text(data.reason)} (commit ${text(data.commit).slice(0, 12)} ${text(data.subject)})`.trim(),
        outcome: 'failure',
      };
    case 'gitops.degraded':
      return {
        trigger: 'health.degraded',
        title: 'Health degraded',
        text: `serving ${text(data.live) || 'nothing'}; ${Array.isArray(data.diff) ? data.diff.join('; ') : ''}`.replace(
          /; $/,
          '',
        ),
        outcome: 'failure',
      };
    case 'service.deployed':
    case 'service.upgraded':
      return {
        trigger: 'deploy.completed',
        title: 'Deployed',
        text: `${text(data.revision)} serves${data.previous ? ` (was ${text(data.previous)})` : ''}`,
        outcome: 'success',
      };
    case 'service.rolledback':
      return {
        trigger: 'rollout.rolledback',
        title: 'Rolled back',
        text: text(data.reason) || `back to ${text(data.revision) || 'the previous revision'}`,
        outcome: 'failure',
      };
    case 'approval.requested':
      return {
        trigger: 'approval.waiting',
        title: 'Approval waiting',
        text: `run ${event.runId ?? '?'} waits for an approval to deploy to ${event.environment ?? 'its environment'}`,
        ...(event.runId !== null ? { pipeline: `run ${event.runId}` } : {}),
      };
    case 'pipelinerun.finished':
      if (data.status !== 'failure' && data.status !== 'failed') return undefined;
      return {
        trigger: 'pipeline.failed',
        title: 'Pipeline failed',
        text: `run ${event.runId ?? '?'} failed`,
        outcome: 'failure',
        ...(event.runId !== null ? { pipeline: `run ${event.runId}` } : {}),
      };
    case 'region.failedover':
      return {
        trigger: 'region.failedover',
        title: 'Region failed over',
        text: `${text(data.region)} lost its traffic share`,
        ...(typeof data.region === 'string' ? { fromRegion: data.region } : {}),
      };
    case 'infra.drifted':
      return {
        trigger: 'infra.drifted',
        // Drift is an environment's, not a service's: the title names it as `Synced: web@prod` names both.
        title: event.environment ? `Infrastructure drifted: ${event.environment}` : 'Infrastructure drifted',
        text: driftText(event.environment ?? 'an environment', data),
        outcome: 'failure',
      };
    case 'findings.recorded':
      return findingsRecorded(event);
    default:
      return undefined;
  }
}

/** A job's findings, for GitHub code scanning: where they are stored, and the gate's verdict as text. */
function findingsRecorded(event: StoredEvent): Made | undefined {
  const { data } = event;
  if (event.runId === null || !event.subject) return undefined;
  const tools = Array.isArray(data.tools) ? data.tools.filter((t) => typeof t === 'string') : [];
  const total = typeof data.total === 'number' ? data.total : 0;
  return {
    trigger: 'findings.recorded',
    title: `Findings of ${event.subject}`,
    text: `${total} finding${total === 1 ? '' : 's'}; the gate ${data.gate === 'failed' ? 'failed' : 'passed'}`,
    outcome: data.gate === 'failed' ? 'failure' : 'success',
    pipeline: `run ${event.runId}`,
    findings: {
      run: event.runId,
      job: event.subject,
      ...(typeof data.branch === 'string' && data.branch !== '' ? { branch: data.branch } : {}),
      tools,
    },
  };
}

/** `2 resources of production drifted: terraform_data.web[0] (create), ...`, from an `infra.drifted` event's data. */
function driftText(environment: string, data: Readonly<Record<string, unknown>>): string {
  const listed = (value: unknown): { address: string; action: string }[] =>
    Array.isArray(value)
      ? value.flatMap((item) => {
          const { address, action } = (item ?? {}) as Record<string, unknown>;
          return typeof address === 'string' ? [{ address, action: String(action ?? 'changed') }] : [];
        })
      : [];
  const pending = (data.pending ?? {}) as Record<string, unknown>;
  // A resource changed outside Terraform is usually also in the plan that would undo it: counted once.
  const byAddress = new Map<string, { address: string; action: string }>();
  for (const change of [...listed(data.resources), ...listed(pending.changes)])
    if (!byAddress.has(change.address)) byAddress.set(change.address, change);
  const changes = [...byAddress.values()];
  const count = changes.length > 0 || typeof data.count !== 'number' ? changes.length : data.count;
  const shown = changes.slice(0, 5).map((c) => `${c.address} (${c.action})`);
  const more = changes.length > shown.length ? `, and ${changes.length - shown.length} more` : '';
  return `${count} resource${count === 1 ? '' : 's'} of ${environment} drifted${shown.length > 0 ? `: ${shown.join(', ')}${more}` : ''}`;
}

function linkOf(base: string, event: StoredEvent): string {
  const root = base.replace(/\/+$/, '');
  if (event.runId !== null) return `${root}/#/runs/${event.runId}`;
  if (event.type.startsWith('gitops.')) return `${root}/#/gitops`;
  return `${root}/#/services`;
}
