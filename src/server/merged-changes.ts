// A push to a tracked branch merges its commits there: each becomes a `change.merged` event (the
// CDEvents start of lead time), with its commit time, so the log says when every change landed.
import type { NewEvent, Store } from '../store/store.js';

/** A commit as GitHub's push payload lists it. */
export interface PushedCommit {
  readonly id: string;
  readonly timestamp?: string | undefined;
  readonly message?: string | undefined;
  readonly author?: { readonly name?: string | undefined } | undefined;
}

const SHA = /^[0-9a-f]{40,64}$/;

/** The `change.merged` events of a push's commits (ids that are not commit SHAs are skipped). */
export function mergedChanges(
  push: { readonly ref: string; readonly commits?: readonly PushedCommit[] | undefined },
  actor: string,
  repository: string | null,
): NewEvent[] {
  const branch = push.ref.replace(/^refs\/heads\//, '');
  return (push.commits ?? [])
    .filter((c) => SHA.test(c.id))
    .map((c) => {
      const committedAt = c.timestamp === undefined ? Number.NaN : Date.parse(c.timestamp);
      return {
        type: 'change.merged',
        actor,
        commitSha: c.id,
        subject: push.ref,
        data: {
          branch,
          ...(repository !== null ? { repository } : {}),
          ...(Number.isFinite(committedAt) ? { committedAt } : {}),
          ...(c.message !== undefined ? { title: c.message.split('\n')[0] } : {}),
          ...(c.author?.name !== undefined ? { author: c.author.name } : {}),
        },
      } satisfies NewEvent;
    });
}

/** Records the push's merged commits. */
export async function recordMergedChanges(store: Store, events: readonly NewEvent[]): Promise<void> {
  if (events.length > 0) await store.appendEvents(events);
}
