// One CDEvent line to the Slipway event it stands for: pure. A line with `customData.slipway.data`
// was written by Slipway and is made again exactly; any other is another tool's, mapped as
// docs/metrics.md describes.
import { readDeployRecord, readManualRollback } from '../../store/delivery-records.js';
import type { EventType } from '../../store/event-types.js';
import type { NewEvent } from '../../store/store.js';
import { type CdeventLine, isRecord } from './cdevent-lines.js';
import type { CdeventChange } from './cdevent-types.js';

/** What a line becomes: an event to append, or nothing for a change.merged Slipway derived from a deploy. */
export type ImportedEvent =
  | {
      readonly kind: 'event';
      /** An incident.resolved gets `data.incident`, its incident's local id, when it is appended. */
      readonly event: NewEvent;
    }
  | { readonly kind: 'derived' };

const COMMIT_SHA = /^[0-9a-f]{4,64}$/;

/** Thrown while mapping a line; becomes that line's error. */
class BadLine extends Error {}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/** `customData.slipway.changes`: `[{sha, time}]`, the time in epoch ms or an ISO 8601 date. */
function readChanges(value: unknown): CdeventChange[] {
  if (value === undefined) return [];
  const bad = new BadLine(
    'customData.slipway.changes must be a list of {sha, time} (time in epoch ms or ISO 8601)',
  );
  if (!Array.isArray(value)) throw bad;
  return value.map((change) => {
    if (!isRecord(change) || text(change.sha) === undefined) throw bad;
    const time = typeof change.time === 'string' ? Date.parse(change.time) : change.time;
    if (!Number.isSafeInteger(time) || (time as number) < 0) throw bad;
    return { sha: change.sha as string, time: time as number };
  });
}

/** The fields an imported event keeps to be found again: re-imports skip it, later lines link to it. */
function cdeventIds(e: CdeventLine): Record<string, string> {
  return { cdeventId: e.context.id, cdeventSource: e.context.source, cdeventSubject: e.subject.id };
}

/** Where the event happened: a service event's subject, an incident's content. */
function placeOf(e: CdeventLine): Pick<NewEvent, 'service' | 'environment'> {
  const content = e.subject.content;
  const environment = isRecord(content.environment) ? text(content.environment.id) : undefined;
  switch (e.kind.subject) {
    case 'service':
      return { service: e.subject.id, environment: environment ?? null };
    case 'incident':
      return {
        service: isRecord(content.service) ? (text(content.service.id) ?? null) : null,
        environment: environment ?? null,
      };
    default:
      return {};
  }
}

/** Checks that a Slipway-made event's data holds the record its type needs. */
function checkRecord(type: EventType, data: Readonly<Record<string, unknown>>): void {
  const record = readDeployRecord(data);
  const whole =
    record !== undefined &&
    isRecord(data.deploy) &&
    Array.isArray(data.deploy.changes) &&
    data.deploy.changes.length === record.changes.length;
  const deploy = (result: string) => whole && record?.result === result;
  const ok =
    type === 'service.deployed' || type === 'service.upgraded'
      ? deploy('completed')
      : type === 'service.rolledback'
        ? readManualRollback(data) !== undefined || deploy('rolled_back')
        : type === 'rollout.aborted'
          ? deploy('aborted')
          : true;
  if (!ok)
    throw new BadLine(
      type === 'service.rolledback'
        ? 'customData.slipway.data holds neither a manual rollback (manual, rollback) nor a rolled_back deploy record'
        : `customData.slipway.data.deploy is not a ${type === 'rollout.aborted' ? 'aborted' : 'completed'} deploy record (result, startedAt, changes [{sha, time}], traffic)`,
    );
}

/** A line Slipway wrote: the very event it came from, in this store's terms. */
function slipwayEvent(e: CdeventLine, slipway: Readonly<Record<string, unknown>>): ImportedEvent {
  const type = slipway.type;
  if (!e.kind.slipway.includes(type as EventType))
    throw new BadLine(
      `customData.slipway.type must be ${e.kind.slipway.map((t) => `'${t}'`).join(' or ')} for ${e.kind.type}, got ${JSON.stringify(type)}`,
    );
  if (slipway.derived === true) return { kind: 'derived' };
  const data = { ...(slipway.data as Record<string, unknown>), ...cdeventIds(e) };
  checkRecord(type as EventType, data);
  const commitSha = slipway.commitSha;
  if (commitSha !== undefined && (typeof commitSha !== 'string' || !COMMIT_SHA.test(commitSha)))
    throw new BadLine('customData.slipway.commitSha must be a lowercase hex git object id');
  if (slipway.subject !== undefined && text(slipway.subject) === undefined)
    throw new BadLine('customData.slipway.subject must be a non-empty string');
  return {
    kind: 'event',
    event: {
      type: type as EventType,
      actor: text(slipway.actor) ?? 'import',
      time: e.time,
      ...(commitSha !== undefined ? { commitSha: commitSha as string } : {}),
      ...(slipway.subject !== undefined ? { subject: slipway.subject as string } : {}),
      ...placeOf(e),
      data,
    },
  };
}

/** CDEvents outcomes as Slipway's pipeline run statuses. */
const STATUSES: Readonly<Record<string, string>> = {
  success: 'success',
  failure: 'failure',
  error: 'failure',
  cancel: 'cancelled',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

/** The data another tool's event gets. */
function foreignData(e: CdeventLine, slipway: Readonly<Record<string, unknown>> | undefined) {
  const content = e.subject.content;
  const changes = readChanges(slipway?.changes);
  const deploy = (result: 'completed' | 'rolled_back') => ({
    artifactId: content.artifactId,
    deploy: { result, startedAt: e.time, changes, traffic: null },
  });
  switch (e.kind.type) {
    case 'dev.cdevents.service.deployed.0.2.0':
    case 'dev.cdevents.service.upgraded.0.2.0':
      return deploy('completed');
    case 'dev.cdevents.service.rolledback.0.2.0':
      return deploy('rolled_back');
    case 'dev.cdevents.incident.detected.0.2.0':
      return { title: text(content.description) ?? `incident ${e.subject.id}`, externalId: e.subject.id };
    case 'dev.cdevents.incident.resolved.0.2.0':
      return { externalId: e.subject.id };
    case 'dev.cdevents.pipelinerun.finished.0.2.0': {
      const outcome = text(content.outcome);
      const pipeline = text(content.pipelineName);
      return {
        ...(outcome !== undefined ? { status: STATUSES[outcome.toLowerCase()] ?? outcome } : {}),
        ...(pipeline !== undefined ? { pipeline } : {}),
      };
    }
    default: {
      const repository = isRecord(content.repository) ? text(content.repository.id) : undefined;
      return repository !== undefined ? { repository } : {};
    }
  }
}

/** Another tool's event: a completed deploy, an automatic rollback, an incident, a run, a change. */
function foreignEvent(e: CdeventLine, slipway: Readonly<Record<string, unknown>> | undefined): ImportedEvent {
  const type = e.kind.slipway[0];
  const sha = e.subject.id.toLowerCase();
  return {
    kind: 'event',
    event: {
      type,
      actor: text(slipway?.actor) ?? 'import',
      time: e.time,
      ...(type === 'change.merged' && COMMIT_SHA.test(sha) ? { commitSha: sha } : {}),
      ...(e.kind.subject === 'incident' ? { subject: 'incident' } : {}),
      ...placeOf(e),
      data: { ...foreignData(e, slipway), ...cdeventIds(e) },
    },
  };
}

/** The event a line stands for, or why it cannot be imported. */
export function importedEvent(e: CdeventLine): ImportedEvent | { readonly error: string } {
  try {
    const slipway = e.slipway;
    const imported = isRecord(slipway?.data) ? slipwayEvent(e, slipway!) : foreignEvent(e, slipway);
    if (imported.kind === 'event') {
      const { service, environment } = imported.event;
      if (e.kind.subject === 'service' && (!service || !environment))
        throw new BadLine('a service event needs subject.id and subject.content.environment.id');
    }
    return imported;
  } catch (error) {
    if (error instanceof BadLine) return { error: error.message };
    throw error;
  }
}
