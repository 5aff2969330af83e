// Slipway events to CDEvents v0.4.1: pure. Each event keeps everything Slipway needs to make it
// again in `customData.slipway`, and each commit a deploy brought becomes a change.merged before it.
import { readDeployRecord, readManualRollback } from '../../store/delivery-records.js';
import type { StoredEvent } from '../../store/store.js';
import { resolvedIncidentOf } from '../delivery-facts.js';
import {
  CDEVENTS_VERSION,
  type Cdevent,
  type CdeventChange,
  type CdeventKind,
  kindOfEvent,
  kindOfType,
  type SlipwayCustomData,
} from './cdevent-types.js';

/** Who the export names as its source, and the repository its commits belong to. */
export interface ExportNames {
  /** `context.source`: a URI reference naming this Slipway, e.g. `/slipway/<project>`. */
  readonly source: string;
  /** `subject.content.repository.id` of change.merged: the project. */
  readonly repository: string;
}

const COMMIT_SHA = /^[0-9a-f]{4,64}$/;
const iso = (time: number) => new Date(time).toISOString();

/** True when `e` belongs to the delivery history an export carries. */
export function isExported(e: StoredEvent): boolean {
  switch (e.type) {
    case 'change.merged':
    case 'pipelinerun.finished':
      return true;
    case 'service.deployed':
    case 'service.upgraded':
    case 'rollout.aborted':
      return e.service !== null && e.environment !== null && readDeployRecord(e.data) !== undefined;
    case 'service.rolledback':
      return (
        e.service !== null &&
        e.environment !== null &&
        (readManualRollback(e.data) !== undefined || readDeployRecord(e.data) !== undefined)
      );
    case 'incident.detected':
      return e.environment !== null;
    case 'incident.resolved':
      return e.environment !== null && resolvedIncidentOf(e) !== undefined;
    default:
      return false;
  }
}

/** The subject of an incident event: its `incident.detected` event's id. */
const incidentSubject = (detectedId: number) => `incident-${detectedId}`;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** A package URL naming what a deploy put in place: the service at its revision (or commit). */
function artifactIdOf(e: StoredEvent, service: string): string {
  const stored = text(e.data.artifactId);
  if (stored !== undefined) return stored;
  const revision = text(e.data.revision) ?? e.commitSha;
  const name = `pkg:generic/${encodeURIComponent(service)}`;
  return revision ? `${name}@${encodeURIComponent(revision)}` : name;
}

/** `pipelinerun.finished`'s `data.status` as a CDEvents outcome. */
const OUTCOMES: Readonly<Record<string, string>> = {
  success: 'success',
  failure: 'failure',
  cancelled: 'cancel',
};

function subjectOf(e: StoredEvent, kind: CdeventKind, names: ExportNames): Cdevent['subject'] {
  const environment = { id: e.environment ?? '' };
  switch (kind.subject) {
    case 'service': {
      const service = e.service ?? '';
      return { id: service, type: 'service', content: { environment, artifactId: artifactIdOf(e, service) } };
    }
    case 'incident': {
      const detected = e.type === 'incident.detected' ? e.id : (resolvedIncidentOf(e) ?? e.id);
      const description = text(e.data.title);
      const content = {
        ...(description !== undefined ? { description } : {}),
        environment,
        ...(e.service !== null ? { service: { id: e.service } } : {}),
      };
      return { id: incidentSubject(detected), type: 'incident', content };
    }
    case 'pipelineRun': {
      const id = e.runId !== null ? `run-${e.runId}` : (text(e.data.cdeventSubject) ?? `run-event-${e.id}`);
      const status = text(e.data.status);
      const pipelineName = text(e.data.pipeline);
      const content = {
        ...(pipelineName !== undefined ? { pipelineName } : {}),
        ...(status !== undefined ? { outcome: OUTCOMES[status] ?? status } : {}),
      };
      return { id, type: 'pipelineRun', content };
    }
    case 'change': {
      const id = e.commitSha ?? text(e.data.cdeventSubject) ?? `change-${e.id}`;
      const repository = { id: text(e.data.repository) ?? names.repository };
      return { id, type: 'change', content: { repository } };
    }
  }
}

function customDataOf(e: StoredEvent, changes: readonly CdeventChange[] | undefined): SlipwayCustomData {
  return {
    type: e.type,
    actor: e.actor,
    ...(e.commitSha !== null ? { commitSha: e.commitSha } : {}),
    ...(e.runId !== null ? { runId: e.runId } : {}),
    ...(e.subject !== null ? { subject: e.subject } : {}),
    data: e.data,
    ...(changes !== undefined ? { changes } : {}),
  };
}

/** The CDEvent of one exported Slipway event. */
function cdeventOf(e: StoredEvent, names: ExportNames): Cdevent {
  const kind = kindOfEvent(e.type);
  if (!kind || !isExported(e)) throw new Error(`event ${e.id} (${e.type}) is not part of an export`);
  const changes = readDeployRecord(e.data)?.changes;
  return {
    context: {
      version: CDEVENTS_VERSION,
      id: `slipway-${e.id}`,
      source: names.source,
      type: kind.type,
      timestamp: iso(e.time),
    },
    subject: subjectOf(e, kind, names),
    customData: { slipway: customDataOf(e, changes) },
    customDataContentType: 'application/json',
  };
}

/** The change.merged Slipway makes of a commit a deploy brought: dated at the commit, not stored. */
function mergedChange(change: CdeventChange, deploy: StoredEvent, names: ExportNames): Cdevent {
  const kind = kindOfType('dev.cdevents.change.merged.0.2.0')!;
  const slipway: SlipwayCustomData = {
    type: 'change.merged',
    actor: deploy.actor,
    ...(COMMIT_SHA.test(change.sha) ? { commitSha: change.sha } : {}),
    data: {},
    derived: true,
  };
  return {
    context: {
      version: CDEVENTS_VERSION,
      id: `slipway-change-${change.sha}`,
      source: names.source,
      type: kind.type,
      timestamp: iso(change.time),
    },
    subject: { id: change.sha, type: 'change', content: { repository: { id: names.repository } } },
    customData: { slipway },
    customDataContentType: 'application/json',
  };
}

/**
 * The CDEvents of `events` (the exported ones among them), in time order: each stored event, and
 * one change.merged per commit the deploys brought that no stored change.merged names already.
 */
export function toCdevents(events: readonly StoredEvent[], names: ExportNames): Cdevent[] {
  const exported = events.filter(isExported);
  const merged = new Set(
    exported.flatMap((e) => (e.type === 'change.merged' && e.commitSha ? [e.commitSha] : [])),
  );
  const out: { time: number; event: Cdevent }[] = [];
  for (const e of exported) {
    for (const change of readDeployRecord(e.data)?.changes ?? []) {
      if (change.sha === '' || merged.has(change.sha)) continue;
      merged.add(change.sha);
      out.push({ time: change.time, event: mergedChange(change, e, names) });
    }
    out.push({ time: e.time, event: cdeventOf(e, names) });
  }
  // Stable: a commit dated with its deploy still comes before it.
  return out.sort((a, b) => a.time - b.time).map((o) => o.event);
}
