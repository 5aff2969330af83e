/**
 * What the event log says about GitOps besides one pass: whether automatic passes are suspended
 * (the latest `gitops.suspended` or `gitops.resumed` decides), and the history of syncs and prunes.
 */
import type { Store, StoredEvent } from '../store/store.js';

/** Suspended automatic passes, and since when and by whom, or undefined when they run. */
export interface Suspension {
  readonly since: number;
  readonly actor: string;
  readonly reason?: string;
}

/** Whether automatic passes are suspended. */
export async function suspension(store: Store): Promise<Suspension | undefined> {
  const [latest] = (await store.listEvents({ types: ['gitops.suspended', 'gitops.resumed'] })).slice(-1);
  if (latest?.type !== 'gitops.suspended') return undefined;
  const reason = latest.data.reason;
  return {
    since: latest.time,
    actor: latest.actor,
    ...(typeof reason === 'string' && reason !== '' ? { reason } : {}),
  };
}

/** Suspends (`suspend: true`) or resumes automatic passes; false when nothing changed. */
export async function setSuspended(
  store: Store,
  suspend: boolean,
  actor: string,
  reason?: string,
): Promise<boolean> {
  if (((await suspension(store)) !== undefined) === suspend) return false;
  await store.appendEvent({
    type: suspend ? 'gitops.suspended' : 'gitops.resumed',
    actor,
    subject: 'gitops',
    data: reason ? { reason } : {},
  });
  return true;
}

/** Syncs, failures and prunes, newest first. */
export async function gitopsHistory(store: Store, limit = 50): Promise<StoredEvent[]> {
  const events = await store.listEvents({ types: ['gitops.synced', 'gitops.failed', 'gitops.pruned'] });
  return events.reverse().slice(0, limit);
}
