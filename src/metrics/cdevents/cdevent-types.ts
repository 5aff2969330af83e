// The CDEvents (spec v0.4.1) that carry Slipway's delivery history, and which Slipway event types
// each one stands for. docs/metrics.md describes the mapping.
import type { CdEventContext } from '../../notifications/cloud-event.js';
import type { EventType } from '../../store/event-types.js';

/** The CDEvents spec release whose JSON schemas Slipway reads and writes (schema/cdevents/). */
export const CDEVENTS_VERSION = '0.4.1';

/** One CDEvents type Slipway maps: its `context.type`, subject type, schema file and Slipway types. */
export interface CdeventKind {
  /** `context.type`, with the version the v0.4.1 schema's enum demands. */
  readonly type: string;
  /** `subject.type`. */
  readonly subject: 'service' | 'incident' | 'pipelineRun' | 'change';
  /** Its schema under schema/cdevents/. */
  readonly schema: string;
  /** The Slipway event types it stands for; the first is what a foreign event becomes. */
  readonly slipway: readonly [EventType, ...EventType[]];
}

/** Every CDEvents type of an export, in the order the documentation lists them. */
export const CDEVENT_KINDS: readonly CdeventKind[] = [
  kind('change.merged', 'change', ['change.merged']),
  kind('service.deployed', 'service', ['service.deployed']),
  kind('service.upgraded', 'service', ['service.upgraded']),
  kind('service.rolledback', 'service', ['service.rolledback', 'rollout.aborted']),
  kind('incident.detected', 'incident', ['incident.detected']),
  kind('incident.resolved', 'incident', ['incident.resolved']),
  kind('pipelinerun.finished', 'pipelineRun', ['pipelinerun.finished']),
];

function kind(name: string, subject: CdeventKind['subject'], slipway: CdeventKind['slipway']): CdeventKind {
  return { type: `dev.cdevents.${name}.0.2.0`, subject, schema: `${name.replace('.', '')}.json`, slipway };
}

/** The kind whose `context.type` is `type`, or undefined. */
export function kindOfType(type: string): CdeventKind | undefined {
  return CDEVENT_KINDS.find((k) => k.type === type);
}

/** The kind that a Slipway event of `type` exports as, or undefined when it is not exported. */
export function kindOfEvent(type: EventType): CdeventKind | undefined {
  return CDEVENT_KINDS.find((k) => k.slipway.includes(type));
}

/** A commit a deploy brought, as `customData.slipway.changes` lists it: the time is epoch ms. */
export interface CdeventChange {
  readonly sha: string;
  readonly time: number;
}

/** `customData.slipway`: what Slipway needs to make the very same event again. */
export interface SlipwayCustomData {
  /** The Slipway event type (`rollout.aborted` exports as service.rolledback). */
  readonly type: EventType;
  readonly actor: string;
  readonly commitSha?: string;
  readonly runId?: number;
  readonly subject?: string;
  /** The event's whole `data`, unchanged. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Deploys: the commits the deploy brought, for lead time. */
  readonly changes?: readonly CdeventChange[];
  /** change.merged: made from a deploy's changes, not stored; an import does not store it either. */
  readonly derived?: true;
}

/** A CDEvent as Slipway writes it (one JSON object per line). */
export interface Cdevent {
  readonly context: CdEventContext;
  readonly subject: {
    readonly id: string;
    readonly type: CdeventKind['subject'];
    readonly content: Readonly<Record<string, unknown>>;
  };
  readonly customData: { readonly slipway: SlipwayCustomData };
  readonly customDataContentType: 'application/json';
}
