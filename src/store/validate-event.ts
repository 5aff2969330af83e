// Checks a NewEvent before it enters the append-only log, where a bad row could never be fixed.
import type { Insertable } from 'kysely';
import { StoreError } from './errors.js';
import { isEventType } from './event-types.js';
import { encodeJson } from './json-columns.js';
import type { EventsTable } from './schema.js';
import type { NewEvent } from './store.js';

const COMMIT_SHA = /^[0-9a-f]{4,64}$/;

function invalid(message: string, cause?: unknown): StoreError {
  return new StoreError('EVENT_INVALID', `invalid event: ${message}`, cause === undefined ? {} : { cause });
}

function optionalText(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${field} must be a non-empty string`);
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Validates `event` (type from EVENT_TYPES, lowercase hex SHA, integer times...) and returns the row to insert. */
export function validateEvent(event: NewEvent, now: number): Insertable<EventsTable> {
  if (!isPlainObject(event)) throw invalid('expected an object');
  if (!isEventType(event.type)) {
    throw invalid(`unknown type ${JSON.stringify(event.type)} (see EVENT_TYPES in src/store/event-types.ts)`);
  }
  if (typeof event.actor !== 'string' || event.actor.trim().length === 0) {
    throw invalid('actor must be a non-empty string');
  }
  const time = event.time ?? now;
  if (!Number.isSafeInteger(time) || time < 0)
    throw invalid('time must be epoch milliseconds (an integer >= 0)');
  const commitSha = optionalText(event.commitSha, 'commitSha');
  if (commitSha !== null && !COMMIT_SHA.test(commitSha)) {
    throw invalid(`commitSha ${JSON.stringify(commitSha)} is not a lowercase hex git object id`);
  }
  const runId = event.runId ?? null;
  if (runId !== null && (!Number.isSafeInteger(runId) || runId <= 0)) {
    throw invalid('runId must be a positive integer');
  }
  if (event.data !== undefined && !isPlainObject(event.data))
    throw invalid('data must be a plain JSON object');
  let data: string;
  try {
    data = encodeJson(event.data ?? {}, 'data');
  } catch (error) {
    throw invalid('data is not JSON-serializable', error);
  }
  return {
    type: event.type,
    time,
    actor: event.actor,
    commit_sha: commitSha,
    service: optionalText(event.service, 'service'),
    environment: optionalText(event.environment, 'environment'),
    run_id: runId,
    subject: optionalText(event.subject, 'subject'),
    data,
  };
}
