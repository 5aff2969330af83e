/** What the scheduler knows about each node of a run as it goes. */
import type { ArtifactManifest } from '../artifacts/artifact-store.js';

/** Final statuses of a node. */
export type FinalStatus = 'success' | 'failure' | 'skipped' | 'cancelled' | 'timed_out';

/** How a node ended, as it happened (before continueOnError is applied). */
export interface NodeEnd {
  readonly status: FinalStatus;
  readonly outputs: Readonly<Record<string, string>>;
  readonly artifacts?: ArtifactManifest;
  readonly message?: string;
}

/** A finished node: its status and what dependents may read. */
export interface NodeResult {
  readonly status: FinalStatus;
  /** The status dependents see: a failure with continueOnError counts as success. */
  readonly effective: FinalStatus;
  readonly outputs: Readonly<Record<string, string>>;
  readonly artifacts?: ArtifactManifest;
  /** True when this node or any ancestor failed (for `failure()`). */
  readonly failedUpstream: boolean;
}

/** True for a status that fails a run (unless continueOnError). */
export function isFailing(status: FinalStatus): boolean {
  return status === 'failure' || status === 'timed_out';
}

/** The job-level result GitHub Actions users read as `needs.<id>.result`, aggregated over matrix legs. */
export function aggregateResult(results: readonly NodeResult[]): FinalStatus {
  if (results.length === 0) return 'skipped';
  if (results.some((r) => isFailing(r.effective))) return 'failure';
  if (results.some((r) => r.effective === 'cancelled')) return 'cancelled';
  if (results.every((r) => r.effective === 'skipped')) return 'skipped';
  return 'success';
}

/** Stored job outputs record: user outputs plus the artifact manifest. */
export interface StoredOutputs {
  readonly values: Readonly<Record<string, string>>;
  readonly artifacts?: ArtifactManifest;
}
