/**
 * Revisions on a host reached over SSH. A revision is built locally (revisions.ts, so its id is the
 * one a single host would give it) and shipped content-addressed into `<dir>/revisions/<digest>/`
 * (ssh/ship-revision.ts); the host's agent then points `<dir>/state/revisions/<service>/<id>` at that
 * tree, finds and pins revisions (local/agent/host-revisions.ts). Each is one request to the agent
 * through the socket forwarded over the host's connection: no command is started on the host.
 */

import type { HostRevision, PlaceAnswer } from '../local/agent/host-revisions.js';
import type { AgentClient } from '../local/agent-client.js';
import { KEPT_REVISIONS } from '../local/revisions.js';
import type { StoredRevision } from '../platform.js';

/** The revisions of one host, through its agent. */
export class RemoteRevisions {
  constructor(private readonly agent: AgentClient) {}

  /** The revision as the host has it, or undefined. */
  async find(service: string, id: string): Promise<StoredRevision | undefined> {
    const answer = await this.agent.call<{ revision: HostRevision | null }>('GET', path(service, id));
    return answer.revision ? storedOf(answer.revision) : undefined;
  }

  /** Pins a revision the host has; false when it has no such revision. */
  async pin(service: string, id: string, reason: string): Promise<boolean> {
    const answer = await this.agent.call<{ pinned: boolean }>('POST', `${path(service, id)}/pin`, { reason });
    return answer.pinned;
  }

  /**
   * The revision as the host has it when it has it (nothing else done); else points the host's
   * revision `id` at the shipped tree `digest` (built first from the canonical `manifest` text
   * when the host has only its blobs) and unlinks all but the newest revisions of the service,
   * never one in use or pinned, returning the ids unlinked.
   */
  async place(
    service: string,
    id: string,
    digest: string,
    inUse: ReadonlySet<string>,
    manifest?: string,
    keep = KEPT_REVISIONS,
  ): Promise<{ readonly found: StoredRevision } | { readonly removed: readonly string[] }> {
    const answer = await this.agent.call<PlaceAnswer>('POST', `${path(service, id)}/place`, {
      digest,
      inUse: [...inUse, id],
      keep,
      ...(manifest === undefined ? {} : { manifest }),
    });
    return 'found' in answer ? { found: storedOf(answer.found) } : { removed: answer.removed };
  }
}

function path(service: string, id: string): string {
  return `/v1/revisions/${encodeURIComponent(service)}/${encodeURIComponent(id)}`;
}

/** A manifest as the platform reports it: without its config, with its pin. */
function storedOf({ manifest, pinned }: HostRevision): StoredRevision {
  const { config: _config, ...revision } = manifest;
  return pinned === undefined ? revision : { ...revision, pinned };
}
