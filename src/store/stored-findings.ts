// The findings part of the store contract: each job's scanner findings, stored with its run.
import type { Finding } from '../findings/finding.js';

/** How a stored finding counted in its job's gate. */
export type FindingStatus = 'counted' | 'below' | 'baseline' | 'suppressed';

/** One finding of one job of a run. */
export interface StoredFinding extends Finding {
  readonly id: number;
  readonly runId: number;
  readonly jobKey: string;
  readonly status: FindingStatus;
  /** The suppression that hid it (reason, author, expiry), when `status` is `suppressed`. */
  readonly suppression: Readonly<Record<string, unknown>> | null;
}

/** A finding to record. */
export interface NewFinding extends Finding {
  readonly status: FindingStatus;
  readonly suppression?: Readonly<Record<string, unknown>> | null;
}

/** Which findings to list; in id order. */
export interface FindingFilter {
  readonly runId: number;
  readonly jobKey?: string;
}

/** The store operations of findings. */
export interface FindingOperations {
  /** Records a job's findings (replacing what an earlier attempt of the same job recorded). */
  recordFindings(runId: number, jobKey: string, findings: readonly NewFinding[]): Promise<void>;
  /** The findings of a run (or of one of its jobs). */
  listFindings(filter: FindingFilter): Promise<StoredFinding[]>;
}
