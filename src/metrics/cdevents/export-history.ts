// `slipway events export`: the delivery history of a window read from the store, as CDEvents.
import { environmentOfScope } from '../../store/delivery-records.js';
import type { Store, StoredEvent } from '../../store/store.js';
import { resolvedIncidentOf } from '../delivery-facts.js';
import { type ExportNames, toCdevents } from './cdevent-export.js';
import { CDEVENT_KINDS, type Cdevent } from './cdevent-types.js';

/** The window [from, to) and, optionally, one service and one environment (with its regions). */
export interface ExportFilter {
  readonly from: number;
  readonly to: number;
  readonly service?: string;
  readonly environment?: string;
}

/** Every Slipway event type an export reads. */
export const EXPORTED_TYPES = CDEVENT_KINDS.flatMap((k) => k.slipway);

/** Whether `e` is in `filter`'s service and environment; runs and commits belong to no environment. */
function matches(e: StoredEvent, filter: ExportFilter): boolean {
  const { service, environment } = filter;
  if (e.type === 'pipelinerun.finished') return service === undefined || e.data.pipeline === service;
  const loose = e.type === 'change.merged';
  const inService = service === undefined || e.service === service || (loose && e.service === null);
  const inEnvironment =
    environment === undefined ||
    (e.environment !== null ? environmentOfScope(e.environment) === environment : loose);
  return inService && inEnvironment;
}

/**
 * The CDEvents of the window, in time order. An incident resolved in the window that was opened
 * before it comes with its incident.detected, so that the file imports on its own.
 */
export async function exportCdevents(
  store: Store,
  filter: ExportFilter,
  names: ExportNames,
): Promise<Cdevent[]> {
  const events = (
    await store.listEvents({ types: EXPORTED_TYPES, since: filter.from, until: filter.to })
  ).filter((e) => matches(e, filter));
  const present = new Set(events.filter((e) => e.type === 'incident.detected').map((e) => e.id));
  const missing = new Set(
    events.flatMap((e) => {
      const id = e.type === 'incident.resolved' ? resolvedIncidentOf(e) : undefined;
      return id !== undefined && !present.has(id) ? [id] : [];
    }),
  );
  if (missing.size > 0) {
    const earlier = await store.listEvents({ types: ['incident.detected'], until: filter.from });
    events.unshift(...earlier.filter((e) => missing.has(e.id)));
  }
  return toCdevents(events, names);
}
