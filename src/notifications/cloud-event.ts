/**
 * The CloudEvents 1.0 event (structured JSON mode) a generic webhook receives for a notification.
 * Its `type` is a CDEvents type (spec v0.4.1) chosen by the trigger, and its `data` is the CDEvent
 * (context + subject) with Slipway's notification as `customData`. Pure: data in, data out.
 */
import { type Notification, renderText, type Trigger } from './notification.js';

/** The CDEvents spec release whose event types Slipway emits. */
export const CDEVENTS_SPEC_VERSION = '0.4.1';

/** The CDEvents subject kinds Slipway emits, with the CloudEvents type of each trigger. */
const EVENT_TYPES: Readonly<Record<Trigger, { readonly type: string; readonly subject: SubjectKind }>> = {
  'sync.succeeded': { type: 'dev.cdevents.environment.modified.0.2.0', subject: 'environment' },
  'sync.failed': { type: 'dev.cdevents.incident.detected.0.2.0', subject: 'incident' },
  'deploy.completed': { type: 'dev.cdevents.service.deployed.0.2.0', subject: 'service' },
  'rollout.rolledback': { type: 'dev.cdevents.service.rolledback.0.2.0', subject: 'service' },
  'health.degraded': { type: 'dev.cdevents.incident.detected.0.2.0', subject: 'incident' },
  // CDEvents has no approval event in v0.4.1: a custom (`dev.cdeventsx`) type, as its spec allows.
  'approval.waiting': { type: 'dev.cdeventsx.slipway-approval.waiting.0.1.0', subject: 'slipway-approval' },
  'pipeline.failed': { type: 'dev.cdevents.pipelinerun.finished.0.2.0', subject: 'pipelineRun' },
  'region.failedover': { type: 'dev.cdevents.environment.modified.0.2.0', subject: 'environment' },
  // Resources that differ from their Terraform state or configuration: an incident of the environment.
  'infra.drifted': { type: 'dev.cdevents.incident.detected.0.2.0', subject: 'incident' },
  // CDEvents v0.4.1 has no event for a scanner's findings either: a custom type.
  'findings.recorded': { type: 'dev.cdeventsx.slipway-findings.recorded.0.1.0', subject: 'slipway-findings' },
};

type SubjectKind =
  | 'environment'
  | 'incident'
  | 'service'
  | 'pipelineRun'
  | 'slipway-approval'
  | 'slipway-findings';

/** The CloudEvents `type` of a trigger, e.g. `dev.cdevents.service.deployed.0.2.0`. */
export function cloudEventType(trigger: Trigger): string {
  return EVENT_TYPES[trigger].type;
}

/** A CloudEvent in structured JSON mode. */
export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly subject: string;
  readonly datacontenttype: 'application/json';
  readonly data: CdEvent;
}

/** The context of a CDEvent, as Slipway writes it (notifications and `slipway events export`). */
export interface CdEventContext {
  readonly version: string;
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly timestamp: string;
}

/** The CDEvent carried as the CloudEvent's data. */
export interface CdEvent {
  readonly context: CdEventContext;
  readonly subject: {
    readonly id: string;
    readonly source: string;
    readonly type: SubjectKind;
    readonly content: Readonly<Record<string, unknown>>;
  };
  readonly customData: { readonly slipway: Notification & { readonly rendered: string } };
  readonly customDataContentType: 'application/json';
}

/**
 * The CloudEvent of `n`. `id` is the delivery's idempotency key (a receiver drops a second event
 * with the same `source` + `id`); the CDEvent inside keeps the event's own id.
 */
export function cloudEvent(n: Notification, idempotencyKey: string, source: string): CloudEvent {
  const { type, subject } = EVENT_TYPES[n.trigger];
  const time = new Date(n.at).toISOString();
  const subjectId = subjectIdOf(n, subject);
  return {
    specversion: '1.0',
    id: idempotencyKey,
    source,
    type,
    time,
    subject: subjectId,
    datacontenttype: 'application/json',
    data: {
      context: { version: CDEVENTS_SPEC_VERSION, id: n.id, source, type, timestamp: time },
      subject: { id: subjectId, source, type: subject, content: contentOf(n, subject) },
      customData: { slipway: { ...n, rendered: renderText(n) } },
      customDataContentType: 'application/json',
    },
  };
}

function subjectIdOf(n: Notification, subject: SubjectKind): string {
  switch (subject) {
    case 'environment':
      return n.environment ?? 'default';
    case 'service':
      return [n.environment, n.service].filter((p) => p !== undefined).join('/') || n.id;
    case 'pipelineRun':
      return n.pipeline ?? n.id;
    case 'incident':
    case 'slipway-approval':
      return n.id;
    case 'slipway-findings':
      return n.findings === undefined ? n.id : `${n.findings.run}/${n.findings.job}`;
  }
}

function contentOf(n: Notification, subject: SubjectKind): Readonly<Record<string, unknown>> {
  const environment = { id: n.environment ?? 'default' };
  switch (subject) {
    case 'environment':
      return defined({ name: n.environment, url: n.environmentUrl });
    case 'service':
      return { environment, artifactId: artifactIdOf(n) };
    case 'pipelineRun':
      return defined({
        pipelineName: n.pipeline,
        url: n.url,
        outcome: n.outcome === 'success' ? 'success' : n.outcome === 'error' ? 'error' : 'failure',
        errors: n.text === '' ? undefined : n.text,
      });
    case 'incident':
      return defined({
        description: n.title,
        environment,
        service: n.service === undefined ? undefined : { id: n.service },
      });
    case 'slipway-approval':
      return defined({ environment, url: n.url });
    case 'slipway-findings':
      return defined({ run: n.findings?.run, job: n.findings?.job, url: n.url });
  }
}

/** A package URL (purl) naming what was deployed: the service at its commit. */
function artifactIdOf(n: Notification): string {
  const name = encodeURIComponent(n.service ?? 'service');
  return n.commitSha === undefined ? `pkg:generic/${name}` : `pkg:generic/${name}@${n.commitSha}`;
}

function defined(record: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
