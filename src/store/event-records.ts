// The event log's record shapes: an event to append, an event as stored, and the filter to read them.
import type { EventType } from './event-types.js';

/** An event to append. `time` defaults to the store clock; `data` must be a JSON object. */
export interface NewEvent {
  readonly type: EventType;
  /** Who caused it: a user name, `ci`, `schedule`, `slipway`... */
  readonly actor: string;
  readonly time?: number;
  readonly commitSha?: string | null;
  readonly service?: string | null;
  readonly environment?: string | null;
  readonly runId?: number | null;
  /** What inside the run it is about, e.g. a job key or a release tag. */
  readonly subject?: string | null;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** An event as stored; `id` is the monotonic ordering key of the log. */
export interface StoredEvent {
  readonly id: number;
  readonly type: EventType;
  readonly time: number;
  readonly actor: string;
  readonly commitSha: string | null;
  readonly service: string | null;
  readonly environment: string | null;
  readonly runId: number | null;
  readonly subject: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Filter for listEvents; all fields combine with AND. `since` is inclusive, `until` exclusive. */
export interface EventFilter {
  readonly types?: readonly EventType[];
  readonly service?: string;
  readonly environment?: string;
  readonly runId?: number;
  readonly commitSha?: string;
  /**
   * Only events of runs whose pipeline (project name) is `pipeline`, plus, with `runlessToo`,
   * events of no run (deployments, rollouts, releases of the project the store belongs to).
   */
  readonly project?: { readonly pipeline: string; readonly runlessToo: boolean };
  readonly since?: number;
  readonly until?: number;
  readonly afterId?: number;
  readonly limit?: number;
}
