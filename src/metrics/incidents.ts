// Incidents: opened and closed by hand (`slipway incident`), by the API, or by a monitoring
// system's webhook. An incident is its `incident.detected` event; its id is that event's id.
import type { Store, StoredEvent } from '../store/store.js';
import { resolvedIncidentOf } from './delivery-facts.js';
import { MetricsError } from './errors.js';

/** An incident as the CLI and the API show it. */
export interface Incident {
  readonly id: number;
  readonly service: string;
  readonly environment: string;
  readonly title: string;
  readonly openedAt: number;
  readonly openedBy: string;
  readonly resolvedAt: number | null;
  /** The id a monitoring system gave it, when a webhook opened it. */
  readonly externalId: string | null;
}

/** What opening an incident takes. */
export interface OpenIncident {
  readonly service: string;
  readonly environment: string;
  readonly title?: string;
  readonly actor: string;
  /** When it started (default now); a webhook may date it back. */
  readonly time?: number;
  readonly externalId?: string;
}

function incidentOf(detected: StoredEvent, resolved: StoredEvent | undefined): Incident {
  return {
    id: detected.id,
    service: detected.service ?? '',
    environment: detected.environment ?? '',
    title: typeof detected.data.title === 'string' ? detected.data.title : '',
    openedAt: detected.time,
    openedBy: detected.actor,
    resolvedAt: resolved?.time ?? null,
    externalId: typeof detected.data.externalId === 'string' ? detected.data.externalId : null,
  };
}

/** Opens an incident; with an `externalId` that is open already, returns that one (webhooks retry). */
export async function openIncident(
  store: Store,
  input: OpenIncident,
): Promise<{ incident: Incident; created: boolean }> {
  if (input.externalId !== undefined) {
    const open = (await listIncidents(store, { service: input.service, open: true })).find(
      (i) => i.externalId === input.externalId,
    );
    if (open) return { incident: open, created: false };
  }
  const title = input.title ?? `incident in ${input.service}/${input.environment}`;
  const event = await store.appendEvent({
    type: 'incident.detected',
    actor: input.actor,
    service: input.service,
    environment: input.environment,
    subject: 'incident',
    ...(input.time !== undefined ? { time: input.time } : {}),
    data: { title, ...(input.externalId !== undefined ? { externalId: input.externalId } : {}) },
  });
  return { incident: incidentOf(event, undefined), created: true };
}

/** Incidents oldest first, with their resolution. */
export async function listIncidents(
  store: Store,
  filter: { readonly service?: string; readonly environment?: string; readonly open?: boolean } = {},
): Promise<Incident[]> {
  const where = {
    ...(filter.service !== undefined ? { service: filter.service } : {}),
    ...(filter.environment !== undefined ? { environment: filter.environment } : {}),
  };
  const [detected, resolved] = await Promise.all([
    store.listEvents({ types: ['incident.detected'], ...where }),
    store.listEvents({ types: ['incident.resolved'], ...where }),
  ]);
  const resolutions = new Map<number, StoredEvent>();
  for (const e of resolved) {
    const id = resolvedIncidentOf(e);
    if (id !== undefined && !resolutions.has(id)) resolutions.set(id, e);
  }
  const incidents = detected.map((e) => incidentOf(e, resolutions.get(e.id)));
  return filter.open === undefined
    ? incidents
    : incidents.filter((i) => (i.resolvedAt === null) === filter.open);
}

/** Closes incident `id` (or the open one with `externalId`), now or at `time`. */
export async function resolveIncident(
  store: Store,
  input: {
    readonly id?: number;
    readonly externalId?: string;
    readonly service?: string;
    readonly actor: string;
    readonly time?: number;
  },
): Promise<Incident> {
  const incidents = await listIncidents(store, input.service !== undefined ? { service: input.service } : {});
  const incident =
    input.id !== undefined
      ? incidents.find((i) => i.id === input.id)
      : (incidents.find((i) => i.externalId === input.externalId && i.resolvedAt === null) ??
        incidents.findLast((i) => i.externalId === input.externalId));
  const name = input.id !== undefined ? `${input.id}` : `with external id '${input.externalId}'`;
  if (!incident)
    throw new MetricsError('INCIDENT_UNKNOWN', `no incident ${name} (slipway incident list shows them)`);
  if (incident.resolvedAt !== null)
    throw new MetricsError(
      'INCIDENT_RESOLVED',
      `incident ${incident.id} was closed already, at ${new Date(incident.resolvedAt).toISOString()}`,
    );
  const time = input.time ?? Date.now();
  if (input.time !== undefined && input.time < incident.openedAt)
    throw new MetricsError('INCIDENT_INVALID', `incident ${incident.id} cannot close before it opened`);
  const event = await store.appendEvent({
    type: 'incident.resolved',
    actor: input.actor,
    service: incident.service,
    environment: incident.environment,
    subject: 'incident',
    ...(input.time !== undefined ? { time } : {}),
    data: {
      incident: incident.id,
      ...(incident.externalId !== null ? { externalId: incident.externalId } : {}),
    },
  });
  return { ...incident, resolvedAt: event.time };
}
