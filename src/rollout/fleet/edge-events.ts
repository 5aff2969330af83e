/**
 * The failover loop's events as the event log keeps them: each becomes one `region.*` event about
 * the service and environment behind the edge, with the region as subject and, for a switch, the
 * weights before and after and the measured switch time. Pure, so the mapping is tested as data.
 */
import type { EventType } from '../../store/event-types.js';
import type { NewEvent } from '../../store/store.js';
import type { RecordedFailoverEvent } from './failover-loop.js';

/** Where the event happened and who caused it. */
export interface EdgeEventContext {
  readonly service: string;
  readonly env: string;
  /** The weights the director had before this event's switch (the same as after when nothing moved). */
  readonly weightsBefore: Readonly<Record<string, number>>;
  /** Who gave the command behind a manual event; automatic events are Slipway's. */
  readonly actor?: string;
}

const TYPES: Readonly<Record<RecordedFailoverEvent['kind'], EventType>> = {
  failed_over: 'region.failedover',
  restore_started: 'region.restoring',
  restore_progressed: 'region.restoring',
  restored: 'region.restored',
  unhealthy: 'region.unhealthy',
  recovered: 'region.recovered',
  all_unhealthy: 'region.unhealthy',
};

/** Why the event happened, in a word a query can group on. */
function reasonOf(event: RecordedFailoverEvent): string {
  switch (event.kind) {
    case 'failed_over':
      return event.mode === 'manual' ? 'command' : 'unhealthy';
    case 'restore_started':
      return event.mode === 'manual' ? 'command' : 'healthy';
    case 'restore_progressed':
      return 'step';
    case 'restored':
      return 'restore_complete';
    case 'unhealthy':
      return event.reason;
    case 'recovered':
      return 'healthy';
    case 'all_unhealthy':
      return 'all_unhealthy';
  }
}

/** The event log entry of one recorded failover event. */
export function regionEventOf(event: RecordedFailoverEvent, context: EdgeEventContext): NewEvent {
  const { kind } = event;
  // The weights go in as weightsAfter, next to weightsBefore.
  const fields = Object.fromEntries(
    Object.entries(event).filter(([key]) => key !== 'kind' && key !== 'weights'),
  );
  const manual = 'mode' in event && event.mode === 'manual';
  const weights = 'weights' in event ? event.weights : context.weightsBefore;
  const time = 'appliedAt' in event ? event.appliedAt : event.at;
  return {
    type: TYPES[kind],
    actor: manual && context.actor !== undefined ? context.actor : 'slipway',
    time,
    service: context.service,
    environment: context.env,
    subject: 'region' in event ? event.region : null,
    data: {
      ...fields,
      kind,
      reason: reasonOf(event),
      weightsBefore: context.weightsBefore,
      weightsAfter: weights,
    },
  };
}
