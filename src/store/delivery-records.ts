// What the delivery metrics read from the event log: the record a deploy event carries in
// `data.deploy`, a manual rollback's `data.rollback`, and an incident's fields. Writers (rollouts,
// pipelines, incidents, CDEvents import) and the metrics engine share these shapes, so they live
// below both.

/** A commit a deploy brought into its environment: its SHA and its commit time (epoch ms). */
export interface DeployedChange {
  readonly sha: string;
  readonly time: number;
}

/** How a deploy ended: traffic all on the new revision, rolled back by analysis, or aborted by hand. */
export type DeployResult = 'completed' | 'rolled_back' | 'aborted';

/**
 * Requests the router failed while a rollout ran that were not the new revision's own answers:
 * 5xx responses and connection errors of every other revision, and connection errors to the new one.
 */
export interface TrafficEvidence {
  readonly requests: number;
  readonly failed: number;
}

/**
 * `data.deploy` of `service.deployed` / `service.upgraded` (completed), of `service.rolledback`
 * without `manual` (rolled_back) and of `rollout.aborted` without `rolledBack` (aborted).
 */
export interface DeployRecord {
  readonly result: DeployResult;
  /** When the deploy started (epoch ms); the event's time is when it ended. */
  readonly startedAt: number;
  /** The commits since the environment's previous deployed commit; a first deploy has its own commit. */
  readonly changes: readonly DeployedChange[];
  /** Router evidence while it ran; null when no router measured it (a `run:` deploy, no metrics). */
  readonly traffic: TrafficEvidence | null;
  /** For rolled_back and aborted: when the decision was made, and how long restoring traffic took. */
  readonly decidedAt?: number;
  readonly restoreMs?: number | null;
}

/** `data.rollback` of a manual `service.rolledback` (`data.manual: true`): `slipway rollback`. */
export interface ManualRollbackRecord {
  readonly startedAt: number;
  /** From the command to traffic restored on the earlier revision. */
  readonly restoreMs: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** The deploy record of an event's data, or undefined when it has none (or a malformed one). */
export function readDeployRecord(data: Readonly<Record<string, unknown>>): DeployRecord | undefined {
  const record = data.deploy;
  if (!isObject(record)) return undefined;
  const { result, startedAt, changes, traffic } = record;
  if (result !== 'completed' && result !== 'rolled_back' && result !== 'aborted') return undefined;
  if (!isTime(startedAt) || !Array.isArray(changes)) return undefined;
  const readChanges: DeployedChange[] = [];
  for (const change of changes)
    if (isObject(change) && typeof change.sha === 'string' && isTime(change.time))
      readChanges.push({ sha: change.sha, time: change.time });
  const evidence =
    isObject(traffic) && isTime(traffic.requests) && isTime(traffic.failed)
      ? { requests: traffic.requests, failed: traffic.failed }
      : null;
  return {
    result,
    startedAt,
    changes: readChanges,
    traffic: evidence,
    ...(isTime(record.decidedAt) ? { decidedAt: record.decidedAt } : {}),
    ...(isTime(record.restoreMs) ? { restoreMs: record.restoreMs } : {}),
  };
}

/** The manual rollback record of a `service.rolledback` event's data, or undefined. */
export function readManualRollback(
  data: Readonly<Record<string, unknown>>,
): ManualRollbackRecord | undefined {
  if (data.manual !== true || !isObject(data.rollback)) return undefined;
  const { startedAt, restoreMs } = data.rollback;
  return isTime(startedAt) && isTime(restoreMs) ? { startedAt, restoreMs } : undefined;
}

/** The environment an event's scope belongs to: `production@eu-west` (a fleet region) is `production`. */
export function environmentOfScope(scope: string): string {
  const at = scope.indexOf('@');
  return at < 0 ? scope : scope.slice(0, at);
}
