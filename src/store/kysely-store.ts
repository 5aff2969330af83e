// The store contract implemented once over Kysely; the SQLite and PostgreSQL folders only open connections.

import type { Kysely } from 'kysely';
import * as approvals from './approval-queries.js';
import { type AtomicWrite, atomicWrite } from './atomic-write.js';
import type { DeliveryEvent, DeliveryEventFilter, PipelineDuration } from './delivery-queries.js';
import * as delivery from './delivery-queries.js';
import { toStoreError } from './driver-errors.js';
import { StoreError } from './errors.js';
import * as events from './event-queries.js';
import * as findings from './finding-queries.js';
import * as infraLeases from './infra-lease-queries.js';
import type { InfraLeaseClaim } from './infra-leases.js';
import * as jobRuns from './job-run-queries.js';
import * as logs from './log-queries.js';
import type {
  DeliveryClaim,
  DeliveryFilter,
  DeliveryRetry,
  NewNotificationDelivery,
  NotificationDelivery,
} from './notification-deliveries.js';
import * as notifications from './notification-queries.js';
import * as projects from './project-queries.js';
import * as rollouts from './rollout-queries.js';
import * as runs from './run-queries.js';
import type { Database } from './schema.js';
import * as snapshots from './snapshot-queries.js';
import type {
  ApiToken,
  Approval,
  ApprovalDecision,
  Clock,
  EventFilter,
  JobRun,
  JobRunPatch,
  JobRunUpdate,
  LogLine,
  LogQuery,
  NewApiToken,
  NewEvent,
  NewLogLine,
  NewProject,
  NewRollout,
  NewRun,
  NewWebhookDelivery,
  Project,
  Rollout,
  RolloutFilter,
  RolloutPatch,
  Run,
  RunFilter,
  RunPatch,
  RunProgress,
  Store,
  StoreBackend,
  StoredEvent,
  StoreOperations,
} from './store.js';
import type { FindingFilter, NewFinding, StoredFinding } from './stored-findings.js';
import type { NewSnapshot, SnapshotFilter, StoredSnapshot } from './stored-snapshots.js';
import * as tokens from './token-queries.js';
import * as webhooks from './webhook-queries.js';

/** What differs per backend once a Kysely instance exists. */
export interface KyselyStoreOptions {
  readonly backend: StoreBackend;
  readonly clock: Clock;
  /**
   * Writes a batch of run progress without going through the query builder (SQLite: a few
   * prepared statements in one synchronous transaction); false when it cannot right now (the
   * connection is inside a transaction), and the batch then goes the general way.
   */
  readonly fastRunProgress?: (runId: number, progress: RunProgress, now: number) => boolean;
  /**
   * Holds the event log's append lock until the transaction ends, so ids become visible in id
   * order and `afterId` readers never skip one. Needed on PostgreSQL; SQLite serializes writers anyway.
   */
  readonly lockEventLog?: events.EventLogLock;
}

function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit <= 0)) {
    throw new StoreError('INVALID_INPUT', `limit must be a positive integer, got ${limit}`);
  }
}

/**
 * StoreOperations over a Kysely instance or over one open transaction: checks shared input,
 * reads the clock, and hands each call to the query module of its table.
 */
class KyselyOperations implements StoreOperations {
  /** Runs multi-statement writes atomically, joining the caller's transaction when there is one. */
  private readonly write: AtomicWrite;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: KyselyStoreOptions,
    private readonly inTransaction: boolean,
  ) {
    this.write = atomicWrite(db, inTransaction);
  }

  private now(): number {
    return this.options.clock.now();
  }

  appendEvent(event: NewEvent): Promise<StoredEvent> {
    return events.appendEvent(this.db, this.write, this.now(), event, this.options.lockEventLog);
  }

  appendEvents(batch: readonly NewEvent[]): Promise<void> {
    return events.appendEvents(this.write, this.now(), batch, this.options.lockEventLog);
  }

  async listEvents(filter: EventFilter = {}): Promise<StoredEvent[]> {
    checkLimit(filter.limit);
    return events.listEvents(this.db, filter);
  }

  listDeliveryEvents(filter: DeliveryEventFilter): Promise<DeliveryEvent[]> {
    return delivery.listDeliveryEvents(this.db, filter);
  }

  listPipelineDurations(window: {
    since: number;
    until: number;
    pipeline?: string;
  }): Promise<PipelineDuration[]> {
    return delivery.listPipelineDurations(this.db, window);
  }

  createRun(input: NewRun): Promise<Run> {
    return runs.createRun(this.db, this.now(), input);
  }

  getRun(id: number): Promise<Run | undefined> {
    return runs.getRun(this.db, id);
  }

  async listRuns(filter: RunFilter = {}): Promise<Run[]> {
    checkLimit(filter.limit);
    return runs.listRuns(this.db, filter);
  }

  updateRun(id: number, patch: RunPatch): Promise<void> {
    return runs.updateRun(this.db, id, patch);
  }

  claimRun(id: number, owner: string, staleBefore: number): Promise<boolean> {
    return runs.claimRun(this.db, this.now(), id, owner, staleBefore);
  }

  upsertJobRun(runId: number, jobKey: string, patch: JobRunPatch): Promise<JobRun> {
    return jobRuns.upsertJobRun(this.db, runId, jobKey, patch);
  }

  upsertJobRuns(runId: number, patches: readonly JobRunUpdate[]): Promise<void> {
    return jobRuns.upsertJobRuns(this.write, runId, patches);
  }

  listJobRuns(runId: number): Promise<JobRun[]> {
    return jobRuns.listJobRuns(this.db, runId);
  }

  async writeRunProgress(runId: number, progress: RunProgress): Promise<void> {
    const fast = this.options.fastRunProgress;
    if (fast !== undefined && !this.inTransaction && fast(runId, progress, this.now())) return;
    await this.write(async (trx) => {
      const tx = this.inTransaction ? this : new KyselyOperations(trx, this.options, true);
      await tx.appendLogs(progress.logs);
      await tx.upsertJobRuns(runId, progress.jobs);
      await tx.appendEvents(progress.events);
    });
  }

  appendLogs(entries: readonly NewLogLine[]): Promise<void> {
    return logs.appendLogs(this.write, this.now(), entries);
  }

  async readLogs(runId: number, query: LogQuery = {}): Promise<LogLine[]> {
    checkLimit(query.limit);
    return logs.readLogs(this.db, runId, query);
  }

  requestApproval(
    runId: number,
    environment: string,
    options: { required?: number } = {},
  ): Promise<Approval> {
    return approvals.requestApproval(this.db, this.now(), runId, environment, options.required ?? 1);
  }

  decideApproval(runId: number, environment: string, decision: ApprovalDecision): Promise<Approval> {
    return approvals.decideApproval(this.write, this.now(), runId, environment, decision);
  }

  getApproval(runId: number, environment: string): Promise<Approval | undefined> {
    return approvals.getApproval(this.db, runId, environment);
  }

  listApprovals(runId: number): Promise<Approval[]> {
    return approvals.listApprovals(this.db, runId);
  }

  createRollout(input: NewRollout): Promise<Rollout> {
    return rollouts.createRollout(this.db, this.now(), input);
  }

  getRollout(id: number): Promise<Rollout | undefined> {
    return rollouts.getRollout(this.db, id);
  }

  listRollouts(filter: RolloutFilter = {}): Promise<Rollout[]> {
    checkLimit(filter.limit);
    return rollouts.listRollouts(this.db, filter);
  }

  updateRollout(id: number, patch: RolloutPatch): Promise<Rollout> {
    return rollouts.updateRollout(this.db, this.now(), id, patch);
  }

  claimRollout(id: number, owner: string, staleBefore: number): Promise<boolean> {
    return rollouts.claimRollout(this.db, this.now(), id, owner, staleBefore);
  }

  createToken(input: NewApiToken): Promise<ApiToken> {
    return tokens.createToken(this.db, this.now(), input);
  }

  findTokenByHash(hash: string): Promise<ApiToken | undefined> {
    return tokens.findTokenByHash(this.db, hash);
  }

  listTokens(): Promise<ApiToken[]> {
    return tokens.listTokens(this.db);
  }

  revokeToken(name: string): Promise<ApiToken> {
    return tokens.revokeToken(this.db, this.now(), name);
  }

  touchToken(id: number): Promise<void> {
    return tokens.touchToken(this.db, this.now(), id);
  }

  recordWebhookDelivery(input: NewWebhookDelivery): Promise<boolean> {
    return webhooks.recordWebhookDelivery(this.db, this.now(), input);
  }

  createProject(input: NewProject): Promise<Project> {
    return projects.createProject(this.db, this.now(), input);
  }

  listProjects(): Promise<Project[]> {
    return projects.listProjects(this.db);
  }

  removeProject(name: string): Promise<Project> {
    return projects.removeProject(this.db, name);
  }

  enqueueNotificationDelivery(input: NewNotificationDelivery): Promise<boolean> {
    return notifications.enqueueNotificationDelivery(this.db, this.now(), input);
  }

  claimNotificationDeliveries(claim: DeliveryClaim): Promise<NotificationDelivery[]> {
    return notifications.claimNotificationDeliveries(this.db, this.now(), claim);
  }

  markNotificationDelivered(id: number): Promise<boolean> {
    return notifications.markNotificationDelivered(this.db, this.now(), id);
  }

  retryNotificationDelivery(id: number, owner: string, retry: DeliveryRetry): Promise<boolean> {
    return notifications.retryNotificationDelivery(this.db, this.now(), id, owner, retry);
  }

  failNotificationDelivery(id: number, owner: string, error: string): Promise<boolean> {
    return notifications.failNotificationDelivery(this.db, this.now(), id, owner, error);
  }

  recordFindings(runId: number, jobKey: string, list: readonly NewFinding[]): Promise<void> {
    return findings.recordFindings(this.write, this.now(), runId, jobKey, list);
  }

  listFindings(filter: FindingFilter): Promise<StoredFinding[]> {
    return findings.listFindings(this.db, filter);
  }

  recordSnapshot(snapshot: NewSnapshot): Promise<StoredSnapshot> {
    return snapshots.recordSnapshot(this.db, this.now(), snapshot);
  }

  listSnapshots(filter?: SnapshotFilter): Promise<StoredSnapshot[]> {
    return snapshots.listSnapshots(this.db, filter);
  }

  getSnapshot(id: number): Promise<StoredSnapshot | undefined> {
    return snapshots.getSnapshot(this.db, id);
  }

  markSnapshotPruned(id: number): Promise<void> {
    return snapshots.markSnapshot(this.db, this.now(), id, 'pruned_at');
  }

  markSnapshotRestored(id: number): Promise<void> {
    return snapshots.markSnapshot(this.db, this.now(), id, 'restored_at');
  }

  claimInfraLease(
    key: string,
    owner: string,
    operation: string,
    staleBefore: number,
  ): Promise<InfraLeaseClaim> {
    return infraLeases.claimInfraLease(this.db, this.now(), { key, owner, operation, staleBefore });
  }

  renewInfraLease(key: string, owner: string): Promise<boolean> {
    return infraLeases.renewInfraLease(this.db, this.now(), key, owner);
  }

  releaseInfraLease(key: string, owner: string): Promise<void> {
    return infraLeases.releaseInfraLease(this.db, key, owner);
  }

  async listNotificationDeliveries(filter: DeliveryFilter = {}): Promise<NotificationDelivery[]> {
    checkLimit(filter.limit);
    return notifications.listNotificationDeliveries(this.db, filter);
  }
}

/** The Store over `db`; `close()` destroys `db`, which closes the SQLite file or ends the pg pool. */
class KyselyStore extends KyselyOperations implements Store {
  readonly backend: StoreBackend;
  private closed = false;

  constructor(
    private readonly kysely: Kysely<Database>,
    private readonly storeOptions: KyselyStoreOptions,
  ) {
    super(kysely, storeOptions, false);
    this.backend = storeOptions.backend;
  }

  async transaction<T>(fn: (tx: StoreOperations) => Promise<T>): Promise<T> {
    let callbackFailed = false;
    try {
      return await this.kysely.transaction().execute(async (trx) => {
        try {
          return await fn(new KyselyOperations(trx, this.storeOptions, true));
        } catch (error) {
          callbackFailed = true;
          throw error;
        }
      });
    } catch (error) {
      // The callback's own errors reach the caller untouched; begin/commit failures become StoreErrors.
      throw callbackFailed ? error : toStoreError('running a transaction', error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.kysely.destroy();
  }
}

/** Builds the Store contract over an already migrated Kysely instance. */
export function createKyselyStore(db: Kysely<Database>, options: KyselyStoreOptions): Store {
  return new KyselyStore(db, options);
}
