// The store contract implemented once over Kysely; the SQLite and PostgreSQL folders only open connections.
import type { Kysely } from 'kysely';
import { isForeignKeyViolation, toStoreError } from './driver-errors.js';
import { StoreError } from './errors.js';
import { claimable } from './lease-queries.js';
import * as projects from './project-queries.js';
import * as rollouts from './rollout-queries.js';
import {
  encodeJson,
  jobRunColumns,
  runColumns,
  toApproval,
  toJobRun,
  toLogLine,
  toRun,
  toStoredEvent,
} from './rows.js';
import type { Database } from './schema.js';
import type {
  ApiToken,
  Approval,
  ApprovalDecision,
  Clock,
  EventFilter,
  JobRun,
  JobRunPatch,
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
  Store,
  StoreBackend,
  StoredEvent,
  StoreOperations,
} from './store.js';
import * as tokens from './token-queries.js';
import { validateEvent } from './validate-event.js';
import * as webhooks from './webhook-queries.js';

/** Rows per INSERT when appending logs; stays far below both backends' bound-parameter limits. */
const LOG_BATCH = 500;

/** What differs per backend once a Kysely instance exists. */
export interface KyselyStoreOptions {
  readonly backend: StoreBackend;
  readonly clock: Clock;
  /**
   * Holds the event log's append lock until the transaction ends, so ids become visible in id
   * order and `afterId` readers never skip one. Needed on PostgreSQL; SQLite serializes writers anyway.
   */
  readonly lockEventLog?: (trx: Kysely<Database>) => Promise<void>;
}

function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit <= 0)) {
    throw new StoreError('INVALID_INPUT', `limit must be a positive integer, got ${limit}`);
  }
}

function runNotFound(runId: number, cause?: unknown): StoreError {
  return new StoreError('NOT_FOUND', `run ${runId} does not exist`, cause === undefined ? {} : { cause });
}

/** Runs `fn`, turning driver errors into StoreErrors named after `operation`. */
async function guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toStoreError(operation, error);
  }
}

/** StoreOperations over a Kysely instance or over one open transaction. */
class KyselyOperations implements StoreOperations {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: KyselyStoreOptions,
    private readonly inTransaction: boolean,
  ) {}

  /** Runs multi-statement writes atomically, joining the caller's transaction when there is one. */
  private write<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this.db);
    return this.db.transaction().execute(fn);
  }

  async appendEvent(event: NewEvent): Promise<StoredEvent> {
    const row = validateEvent(event, this.options.clock.now());
    const insert = async (db: Kysely<Database>) =>
      toStoredEvent(await db.insertInto('events').values(row).returningAll().executeTakeFirstOrThrow());
    const { lockEventLog } = this.options;
    return guard('appending an event', () =>
      lockEventLog === undefined
        ? insert(this.db)
        : this.write(async (trx) => {
            await lockEventLog(trx);
            return insert(trx);
          }),
    );
  }

  async listEvents(filter: EventFilter = {}): Promise<StoredEvent[]> {
    checkLimit(filter.limit);
    if (filter.types !== undefined && filter.types.length === 0) return [];
    return guard('listing events', async () => {
      let query = this.db.selectFrom('events').selectAll().orderBy('id', 'asc');
      if (filter.types !== undefined) query = query.where('type', 'in', filter.types);
      if (filter.service !== undefined) query = query.where('service', '=', filter.service);
      if (filter.environment !== undefined) query = query.where('environment', '=', filter.environment);
      if (filter.runId !== undefined) query = query.where('run_id', '=', filter.runId);
      if (filter.commitSha !== undefined) query = query.where('commit_sha', '=', filter.commitSha);
      const project = filter.project;
      if (project !== undefined)
        query = query.where((eb) => {
          const ofRuns = eb(
            'run_id',
            'in',
            eb.selectFrom('runs').select('id').where('pipeline', '=', project.pipeline),
          );
          return project.runlessToo ? eb.or([ofRuns, eb('run_id', 'is', null)]) : ofRuns;
        });
      if (filter.since !== undefined) query = query.where('time', '>=', filter.since);
      if (filter.until !== undefined) query = query.where('time', '<', filter.until);
      if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
      if (filter.limit !== undefined) query = query.limit(filter.limit);
      return (await query.execute()).map(toStoredEvent);
    });
  }

  createRollout(input: NewRollout): Promise<Rollout> {
    return rollouts.createRollout(this.db, this.options.clock.now(), input);
  }

  getRollout(id: number): Promise<Rollout | undefined> {
    return rollouts.getRollout(this.db, id);
  }

  listRollouts(filter: RolloutFilter = {}): Promise<Rollout[]> {
    checkLimit(filter.limit);
    return rollouts.listRollouts(this.db, filter);
  }

  updateRollout(id: number, patch: RolloutPatch): Promise<Rollout> {
    return rollouts.updateRollout(this.db, this.options.clock.now(), id, patch);
  }

  claimRollout(id: number, owner: string, staleBefore: number): Promise<boolean> {
    return rollouts.claimRollout(this.db, this.options.clock.now(), id, owner, staleBefore);
  }

  claimRun(id: number, owner: string, staleBefore: number): Promise<boolean> {
    return guard('claiming a run', async () => {
      const now = this.options.clock.now();
      const result = await this.db
        .updateTable('runs')
        .set({ owner, heartbeat_at: now })
        .where('id', '=', id)
        .where('status', 'in', ['queued', 'running', 'waiting'])
        .where(claimable(owner, staleBefore))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  createToken(input: NewApiToken): Promise<ApiToken> {
    return tokens.createToken(this.db, this.options.clock.now(), input);
  }

  findTokenByHash(hash: string): Promise<ApiToken | undefined> {
    return tokens.findTokenByHash(this.db, hash);
  }

  listTokens(): Promise<ApiToken[]> {
    return tokens.listTokens(this.db);
  }

  revokeToken(name: string): Promise<ApiToken> {
    return tokens.revokeToken(this.db, this.options.clock.now(), name);
  }

  touchToken(id: number): Promise<void> {
    return tokens.touchToken(this.db, this.options.clock.now(), id);
  }

  recordWebhookDelivery(input: NewWebhookDelivery): Promise<boolean> {
    return webhooks.recordWebhookDelivery(this.db, this.options.clock.now(), input);
  }

  createProject(input: NewProject): Promise<Project> {
    return projects.createProject(this.db, this.options.clock.now(), input);
  }

  listProjects(): Promise<Project[]> {
    return projects.listProjects(this.db);
  }

  removeProject(name: string): Promise<Project> {
    return projects.removeProject(this.db, name);
  }

  async createRun(input: NewRun): Promise<Run> {
    const plan = encodeJson(input.plan, 'plan');
    return guard('creating a run', async () => {
      const row = await this.db
        .insertInto('runs')
        .values({
          pipeline: input.pipeline,
          status: input.status ?? 'queued',
          commit_sha: input.commitSha ?? null,
          branch: input.branch ?? null,
          actor: input.actor,
          trigger: input.trigger,
          concurrency_group: input.concurrencyGroup ?? null,
          plan,
          created_at: this.options.clock.now(),
          pid: input.pid ?? null,
          owner: input.owner ?? null,
          heartbeat_at: input.owner ? this.options.clock.now() : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRun(row);
    });
  }

  async getRun(id: number): Promise<Run | undefined> {
    return guard('reading a run', async () => {
      const row = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toRun(row);
    });
  }

  async listRuns(filter: RunFilter = {}): Promise<Run[]> {
    checkLimit(filter.limit);
    const statuses = typeof filter.status === 'string' ? [filter.status] : filter.status;
    if (statuses !== undefined && statuses.length === 0) return [];
    return guard('listing runs', async () => {
      let query = this.db.selectFrom('runs').selectAll().orderBy('id', 'desc');
      if (statuses !== undefined) query = query.where('status', 'in', statuses);
      if (filter.concurrencyGroup !== undefined) {
        query = query.where('concurrency_group', '=', filter.concurrencyGroup);
      }
      if (filter.limit !== undefined) query = query.limit(filter.limit);
      return (await query.execute()).map(toRun);
    });
  }

  async updateRun(id: number, patch: RunPatch): Promise<Run> {
    const set = runColumns(patch);
    const row = await guard('updating a run', () =>
      Object.keys(set).length === 0
        ? this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst()
        : this.db.updateTable('runs').set(set).where('id', '=', id).returningAll().executeTakeFirst(),
    );
    if (row === undefined) throw runNotFound(id);
    return toRun(row);
  }

  async upsertJobRun(runId: number, jobKey: string, patch: JobRunPatch): Promise<JobRun> {
    const set = jobRunColumns(patch);
    return guard('saving a job run', async () => {
      try {
        const row = await this.db
          .insertInto('job_runs')
          .values({ status: 'pending', attempts: 0, outputs: '{}', ...set, run_id: runId, job_key: jobKey })
          .onConflict((oc) =>
            oc
              .columns(['run_id', 'job_key'])
              // A no-op assignment when the patch is empty, so RETURNING still yields the row.
              .doUpdateSet(
                Object.keys(set).length > 0 ? set : { job_key: (eb) => eb.ref('excluded.job_key') },
              ),
          )
          .returningAll()
          .executeTakeFirstOrThrow();
        return toJobRun(row);
      } catch (error) {
        throw isForeignKeyViolation(error) ? runNotFound(runId, error) : error;
      }
    });
  }

  async listJobRuns(runId: number): Promise<JobRun[]> {
    return guard('listing job runs', async () => {
      const rows = await this.db
        .selectFrom('job_runs')
        .selectAll()
        .where('run_id', '=', runId)
        .orderBy('job_key', 'asc')
        .execute();
      return rows.map(toJobRun);
    });
  }

  async appendLogs(entries: readonly NewLogLine[]): Promise<void> {
    if (entries.length === 0) return;
    const now = this.options.clock.now();
    const rows = entries.map((entry) => ({
      run_id: entry.runId,
      job_key: entry.jobKey,
      attempt: entry.attempt ?? 1,
      stream: entry.stream,
      time: entry.time ?? now,
      text: entry.text,
    }));
    await guard('appending logs', async () => {
      try {
        await this.write(async (trx) => {
          for (let start = 0; start < rows.length; start += LOG_BATCH) {
            await trx
              .insertInto('logs')
              .values(rows.slice(start, start + LOG_BATCH))
              .execute();
          }
        });
      } catch (error) {
        if (!isForeignKeyViolation(error)) throw error;
        const runIds = [...new Set(rows.map((row) => row.run_id))].join(', ');
        throw new StoreError('NOT_FOUND', `appending logs: run ${runIds} does not exist`, { cause: error });
      }
    });
  }

  async readLogs(runId: number, query: LogQuery = {}): Promise<LogLine[]> {
    checkLimit(query.limit);
    return guard('reading logs', async () => {
      let select = this.db.selectFrom('logs').selectAll().where('run_id', '=', runId).orderBy('id', 'asc');
      if (query.jobKey !== undefined) select = select.where('job_key', '=', query.jobKey);
      if (query.afterId !== undefined) select = select.where('id', '>', query.afterId);
      if (query.limit !== undefined) select = select.limit(query.limit);
      return (await select.execute()).map(toLogLine);
    });
  }

  async requestApproval(runId: number, environment: string): Promise<Approval> {
    return guard('requesting an approval', async () => {
      try {
        await this.db
          .insertInto('approvals')
          .values({ run_id: runId, environment, status: 'pending', requested_at: this.options.clock.now() })
          .onConflict((oc) => oc.columns(['run_id', 'environment']).doNothing())
          .execute();
      } catch (error) {
        throw isForeignKeyViolation(error) ? runNotFound(runId, error) : error;
      }
      const approval = await this.getApproval(runId, environment);
      if (approval === undefined) throw runNotFound(runId);
      return approval;
    });
  }

  async decideApproval(runId: number, environment: string, decision: ApprovalDecision): Promise<Approval> {
    if (decision.decision !== 'approved' && decision.decision !== 'rejected') {
      throw new StoreError(
        'INVALID_INPUT',
        `decision must be 'approved' or 'rejected', got ${decision.decision}`,
      );
    }
    if (typeof decision.by !== 'string' || decision.by.trim().length === 0) {
      throw new StoreError('INVALID_INPUT', 'an approval decision needs a non-empty `by`');
    }
    const gate = `approval of run ${runId} for ${environment}`;
    return guard('deciding an approval', async () => {
      // The status guard in the WHERE clause makes the decision atomic: of two racing
      // deciders exactly one updates the row, on both backends.
      const row = await this.db
        .updateTable('approvals')
        .set({
          status: decision.decision,
          decided_at: this.options.clock.now(),
          decided_by: decision.by,
          comment: decision.comment ?? null,
        })
        .where('run_id', '=', runId)
        .where('environment', '=', environment)
        .where('status', '=', 'pending')
        .returningAll()
        .executeTakeFirst();
      if (row !== undefined) return toApproval(row);
      const existing = await this.getApproval(runId, environment);
      if (existing === undefined) throw new StoreError('NOT_FOUND', `no ${gate} was requested`);
      throw new StoreError(
        'APPROVAL_DECIDED',
        `the ${gate} was already ${existing.status} by ${existing.decidedBy ?? 'someone'}`,
      );
    });
  }

  async getApproval(runId: number, environment: string): Promise<Approval | undefined> {
    return guard('reading an approval', async () => {
      const row = await this.db
        .selectFrom('approvals')
        .selectAll()
        .where('run_id', '=', runId)
        .where('environment', '=', environment)
        .executeTakeFirst();
      return row === undefined ? undefined : toApproval(row);
    });
  }

  async listApprovals(runId: number): Promise<Approval[]> {
    return guard('listing approvals', async () => {
      const rows = await this.db
        .selectFrom('approvals')
        .selectAll()
        .where('run_id', '=', runId)
        .orderBy('requested_at', 'asc')
        .orderBy('environment', 'asc')
        .execute();
      return rows.map(toApproval);
    });
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
