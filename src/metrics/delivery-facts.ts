// The delivery facts the metrics are computed from, read out of the event log: deploys with their
// records, manual rollbacks, incidents with their resolution, and pipeline runs.
import {
  type DeployRecord,
  environmentOfScope,
  readDeployRecord,
  readManualRollback,
} from '../store/delivery-records.js';
import type { EventType } from '../store/event-types.js';
import type { StoredEvent } from '../store/store.js';

/** The event types the facts come from. */
export const DELIVERY_EVENT_TYPES: readonly EventType[] = [
  'service.deployed',
  'service.upgraded',
  'service.rolledback',
  'rollout.aborted',
  'incident.detected',
  'incident.resolved',
  'pipelinerun.finished',
];

/** One deploy of a service to an environment (a fleet region's rollout counts as one). */
export interface DeployFact extends DeployRecord {
  readonly service: string;
  /** The environment, without a fleet region's `@region`. */
  readonly environment: string;
  /** When it ended. */
  readonly time: number;
}

/** A `slipway rollback` that ended with traffic back on the earlier revision. */
export interface RollbackFact {
  readonly service: string;
  readonly environment: string;
  readonly startedAt: number;
  readonly time: number;
  readonly restoreMs: number;
}

/** An incident: opened at `openedAt`, resolved at `resolvedAt` if it was. */
export interface IncidentFact {
  readonly id: number;
  readonly service: string;
  readonly environment: string;
  readonly title: string;
  readonly openedAt: number;
  readonly resolvedAt: number | null;
}

/** A finished pipeline run (cancelled ones are left out). */
export interface PipelineFact {
  readonly pipeline: string | null;
  readonly time: number;
  readonly durationMs: number;
  readonly status: string;
}

/** Every fact of a window, each list in time order. */
export interface DeliveryFacts {
  readonly deploys: readonly DeployFact[];
  readonly rollbacks: readonly RollbackFact[];
  readonly incidents: readonly IncidentFact[];
  readonly pipelines: readonly PipelineFact[];
}

/** Which service and environment the figures are for (no service: all of them). */
export interface FactFilter {
  readonly service?: string;
  readonly environment: string;
}

/** The incident an `incident.resolved` event resolves. */
export function resolvedIncidentOf(event: Pick<StoredEvent, 'data'>): number | undefined {
  const id = event.data.incident;
  return Number.isSafeInteger(id) ? (id as number) : undefined;
}

/**
 * A deploy's fact, built as one literal with the keys `{ ...record, service, environment, time }`
 * would have: object spread takes V8's slow path for these objects, and this runs for every deploy.
 */
function deployFact(record: DeployRecord, service: string, environment: string, time: number): DeployFact {
  const { result, startedAt, changes, traffic, decidedAt, restoreMs } = record;
  if (decidedAt === undefined && restoreMs === undefined)
    return { result, startedAt, changes, traffic, service, environment, time };
  if (restoreMs === undefined)
    return { result, startedAt, changes, traffic, decidedAt, service, environment, time };
  if (decidedAt === undefined)
    return { result, startedAt, changes, traffic, restoreMs, service, environment, time };
  return { result, startedAt, changes, traffic, decidedAt, restoreMs, service, environment, time };
}

/** An event as the facts read it (a stored event has more). */
export type DeliveryEvent = Pick<StoredEvent, 'id' | 'type' | 'time' | 'service' | 'environment' | 'data'>;

const inTimeOrder = (list: readonly { readonly time: number }[]) =>
  list.every((item, i) => i === 0 || list[i - 1]!.time <= item.time);

/** Turns events (in id order) into facts for `filter`; each list comes out in time order (an imported history may be older than what came before it). */
export function deliveryFacts(events: readonly DeliveryEvent[], filter: FactFilter): DeliveryFacts {
  const deploys: DeployFact[] = [];
  const rollbacks: RollbackFact[] = [];
  const incidents = new Map<number, IncidentFact>();
  const resolutions = new Map<number, number>();
  const pipelines: PipelineFact[] = [];
  for (const e of events) {
    if (e.type === 'pipelinerun.finished') {
      const { status, durationMs, pipeline } = e.data;
      if (status === 'cancelled' || typeof durationMs !== 'number' || typeof status !== 'string') continue;
      const name = typeof pipeline === 'string' ? pipeline : null;
      if (filter.service !== undefined && name !== filter.service) continue;
      pipelines.push({ pipeline: name, time: e.time, durationMs, status });
      continue;
    }
    const { service } = e;
    if (service === null || e.environment === null) continue;
    if (filter.service !== undefined && service !== filter.service) continue;
    const environment = environmentOfScope(e.environment);
    if (environment !== filter.environment) continue;
    switch (e.type) {
      case 'incident.detected': {
        const title = typeof e.data.title === 'string' ? e.data.title : '';
        incidents.set(e.id, { id: e.id, service, environment, title, openedAt: e.time, resolvedAt: null });
        continue;
      }
      case 'incident.resolved': {
        const id = resolvedIncidentOf(e);
        if (id !== undefined && !resolutions.has(id)) resolutions.set(id, e.time);
        continue;
      }
      case 'service.rolledback': {
        const manual = readManualRollback(e.data);
        if (manual) {
          rollbacks.push({
            service,
            environment,
            startedAt: manual.startedAt,
            time: e.time,
            restoreMs: manual.restoreMs,
          });
          continue;
        }
        break;
      }
      default:
        break;
    }
    const record = readDeployRecord(e.data);
    if (record) deploys.push(deployFact(record, service, environment, e.time));
  }
  if (!inTimeOrder(deploys)) deploys.sort((a, b) => a.time - b.time);
  if (!inTimeOrder(rollbacks)) rollbacks.sort((a, b) => a.time - b.time);
  return {
    deploys,
    rollbacks,
    incidents: Array.from(incidents.values(), (fact) => ({
      id: fact.id,
      service: fact.service,
      environment: fact.environment,
      title: fact.title,
      openedAt: fact.openedAt,
      resolvedAt: resolutions.get(fact.id) ?? null,
    })),
    pipelines,
  };
}
