// Plans an import of CDEvent lines into a store: pure. The events go in time order, the ones
// imported before are skipped, and each incident.resolved is linked to the incident it names.
import type { EventType } from '../../store/event-types.js';
import type { NewEvent } from '../../store/store.js';
import { importedEvent } from './cdevent-import.js';
import type { CdeventLine, LineError } from './cdevent-lines.js';

/** What the store holds that an import must know. */
export interface ImportState {
  /** `cdeventKey(source, id)` of every CDEvent imported before. */
  readonly imported: ReadonlySet<string>;
  /** The local id of each imported incident.detected, by `cdeventKey(source, subject id)`. */
  readonly incidents: ReadonlyMap<string, number>;
  /** The source this store's own exports name, and the type of each of its own events by id. */
  readonly ownSource: string;
  readonly own: ReadonlyMap<number, EventType>;
}

/** The key of a CDEvent (source and id), or of an incident (source and subject id). */
export const cdeventKey = (source: string, id: string) => `${source}\u0000${id}`;

/** The incident an incident.resolved resolves: an incident already stored, or one this import appends. */
export type IncidentLink = { readonly id: number } | { readonly key: string };

/** One event to append, in order. */
export interface PlannedEvent {
  readonly line: number;
  readonly event: NewEvent;
  /** incident.detected: the key later events of the import link to. */
  readonly incidentKey?: string;
  /** incident.resolved: its incident, whose local id becomes `data.incident`. */
  readonly resolves?: IncidentLink;
}

/** The plan: events to append, how many were imported before, and the lines that are bad. */
export interface ImportPlan {
  readonly events: readonly PlannedEvent[];
  readonly skipped: number;
  readonly errors: readonly LineError[];
}

const OWN_EVENT = /^slipway-(\d+)$/;
const OWN_INCIDENT = /^incident-(\d+)$/;

/** The local id of one of this store's own events that `id` names (as its exports name them), if it does. */
function ownId(state: ImportState, source: string, id: string, type: EventType): number | undefined {
  const match = source === state.ownSource ? OWN_EVENT.exec(id) : null;
  const local = match ? Number(match[1]) : undefined;
  return local !== undefined && state.own.get(local) === type ? local : undefined;
}

/** Plans the import of `lines` (already checked against their schemas) into a store in `state`. */
export function planImport(lines: readonly CdeventLine[], state: ImportState): ImportPlan {
  const events: PlannedEvent[] = [];
  const errors: LineError[] = [];
  const seen = new Set<string>();
  const detectedHere = new Set<string>();
  let skipped = 0;
  // Stable: lines of the same time keep their order in the file.
  const ordered = [...lines].sort((a, b) => a.time - b.time);
  for (const line of ordered) {
    const { source, id } = line.context;
    const key = cdeventKey(source, id);
    const imported = importedEvent(line);
    if ('error' in imported) {
      errors.push({ line: line.line, message: imported.error });
      continue;
    }
    if (imported.kind === 'derived') continue;
    const { event } = imported;
    const subjectKey = cdeventKey(source, line.subject.id);
    const already =
      state.imported.has(key) || seen.has(key) || ownId(state, source, id, event.type) !== undefined;
    seen.add(key);
    if (event.type === 'incident.detected') {
      if (already) skipped++;
      else {
        detectedHere.add(subjectKey);
        events.push({ line: line.line, event, incidentKey: subjectKey });
      }
      continue;
    }
    if (event.type === 'incident.resolved') {
      const own = source === state.ownSource ? OWN_INCIDENT.exec(line.subject.id) : null;
      const ownIncident =
        own && state.own.get(Number(own[1])) === 'incident.detected' ? Number(own[1]) : undefined;
      const storedId = state.incidents.get(subjectKey) ?? ownIncident;
      const resolves: IncidentLink | undefined = detectedHere.has(subjectKey)
        ? { key: subjectKey }
        : storedId !== undefined
          ? { id: storedId }
          : undefined;
      if (!resolves) {
        errors.push({
          line: line.line,
          message: `incident.resolved names ${line.subject.id}, which no incident.detected of ${source} before it in this file or in the store opened`,
        });
        continue;
      }
      if (already) skipped++;
      else events.push({ line: line.line, event, resolves });
      continue;
    }
    if (already) skipped++;
    else events.push({ line: line.line, event });
  }
  return { events, skipped, errors };
}
