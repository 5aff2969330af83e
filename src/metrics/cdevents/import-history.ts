// `slipway events import`: a CDEvents file into the store, every line checked first and then all
// of it appended in one transaction, or nothing when any line is bad.
import type { NewEvent, Store, StoreOperations } from '../../store/store.js';
import { validateEvent } from '../../store/validate-event.js';
import { MetricsError } from '../errors.js';
import { type LineError, readCdeventLines } from './cdevent-lines.js';
import { EXPORTED_TYPES } from './export-history.js';
import { cdeventKey, type ImportState, type PlannedEvent, planImport } from './import-plan.js';

/** How many bad lines an error lists before it only counts the rest. */
const LISTED_ERRORS = 50;

/** What an import did. */
export interface ImportResult {
  readonly imported: number;
  /** Events imported before (or this store's own), left out. */
  readonly skipped: number;
}

/** What the store holds that the import must know: earlier imports, their incidents, its own events. */
async function importState(store: Store, ownSource: string): Promise<ImportState> {
  const imported = new Set<string>();
  const incidents = new Map<string, number>();
  const own = new Map<number, (typeof EXPORTED_TYPES)[number]>();
  for (const e of await store.listEvents({ types: EXPORTED_TYPES })) {
    own.set(e.id, e.type);
    const { cdeventId, cdeventSource, cdeventSubject } = e.data;
    if (typeof cdeventId !== 'string' || typeof cdeventSource !== 'string') continue;
    imported.add(cdeventKey(cdeventSource, cdeventId));
    if (e.type === 'incident.detected' && typeof cdeventSubject === 'string')
      incidents.set(cdeventKey(cdeventSource, cdeventSubject), e.id);
  }
  return { imported, incidents, ownSource, own };
}

/** Appends the planned events in order; an incident.detected alone, for the id its resolution names. */
async function appendPlanned(tx: StoreOperations, planned: readonly PlannedEvent[]): Promise<void> {
  const incidentIds = new Map<string, number>();
  let batch: NewEvent[] = [];
  for (const p of planned) {
    if (p.incidentKey !== undefined) {
      await tx.appendEvents(batch);
      batch = [];
      incidentIds.set(p.incidentKey, (await tx.appendEvent(p.event)).id);
      continue;
    }
    const link = p.resolves;
    const incident = link === undefined ? undefined : 'id' in link ? link.id : incidentIds.get(link.key);
    batch.push(incident === undefined ? p.event : { ...p.event, data: { ...p.event.data, incident } });
  }
  await tx.appendEvents(batch);
}

/** What the store would refuse in a planned event, as its line's error (none when it is fine). */
function storeError(p: PlannedEvent): LineError[] {
  try {
    validateEvent(p.event, 0);
    return [];
  } catch (error) {
    return [{ line: p.line, message: (error as Error).message }];
  }
}

/**
 * Imports the CDEvents of `text` (one per line; `file` names it in messages). Throws MetricsError
 * IMPORT_INVALID listing every bad line as `FILE:LINE: message`, having appended nothing.
 */
export async function importCdevents(
  store: Store,
  text: string,
  options: { readonly file: string; readonly ownSource: string },
): Promise<ImportResult> {
  const read = readCdeventLines(text);
  const plan = planImport(read.events, await importState(store, options.ownSource));
  const errors = [...read.errors, ...plan.errors, ...plan.events.flatMap(storeError)].sort(
    (a, b) => a.line - b.line,
  );
  if (errors.length > 0) {
    const listed = errors.slice(0, LISTED_ERRORS).map((e) => `${options.file}:${e.line}: ${e.message}`);
    if (errors.length > LISTED_ERRORS) listed.push(`... and ${errors.length - LISTED_ERRORS} more`);
    const count = errors.length === 1 ? 'a bad line' : `${errors.length} bad lines`;
    throw new MetricsError(
      'IMPORT_INVALID',
      `${options.file} has ${count}; nothing was imported:\n${listed.join('\n')}`,
    );
  }
  await store.transaction((tx) => appendPlanned(tx, plan.events));
  return { imported: plan.events.length, skipped: plan.skipped };
}
