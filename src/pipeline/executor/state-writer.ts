/**
 * Writes a run's state changes, committed in batches: a change waits up to `coalesceMs` to share
 * a transaction with others, unless `flush` asks for it now. A batch costs a few statements
 * however many jobs it holds: log lines, job patches and events each go in one multi-row write.
 * The scheduler flushes before starting anything that follows a finished job, so a resumed run
 * never repeats one.
 */
import type {
  JobRunPatch,
  JobRunUpdate,
  NewEvent,
  NewLogLine,
  Store,
  StoreOperations,
} from '../../store/store.js';

/** One write, made inside the batch's transaction. */
export type StateWrite = (tx: StoreOperations) => Promise<unknown>;

interface Batch {
  logs: NewLogLine[];
  jobs: JobRunUpdate[];
  events: NewEvent[];
  other: StateWrite[];
}

const emptyBatch = (): Batch => ({ logs: [], jobs: [], events: [], other: [] });
const isEmpty = (b: Batch) =>
  b.logs.length === 0 && b.jobs.length === 0 && b.events.length === 0 && b.other.length === 0;

/** Queues one run's writes and commits them in batches. */
export class StateWriter {
  #batch: Batch = emptyBatch();
  #draining: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The first error a batch met; later batches still run. */
  error: unknown;

  constructor(
    private readonly store: Store,
    private readonly runId: number,
    private readonly coalesceMs: number,
  ) {}

  /** Queues log lines; stored before the job patches of the same batch. */
  logs(lines: readonly NewLogLine[]): void {
    for (const line of lines) this.#batch.logs.push(line);
    this.#schedule();
  }

  /** Queues a patch of one job of the run; patches of one job in a batch merge into one row write. */
  job(jobKey: string, patch: JobRunPatch): void {
    this.#batch.jobs.push({ jobKey, patch });
    this.#schedule();
  }

  /** Queues an event; events keep their order. */
  event(event: NewEvent): void {
    this.#batch.events.push(event);
    this.#schedule();
  }

  /** Queues any other write. */
  write(op: StateWrite): void {
    this.#batch.other.push(op);
    this.#schedule();
  }

  /** Commits everything queued so far; resolves when it is stored. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#draining) await this.#draining;
    if (!isEmpty(this.#batch)) await this.#startDrain();
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.#startDrain();
    }, this.coalesceMs);
  }

  // The drain is forgotten only once it has ended, never before the caller holds it: a drain
  // with nothing to write ends at once, and clearing it from inside would leave it held forever.
  #startDrain(): Promise<void> {
    if (this.#draining === undefined) {
      const drain = this.#drain().finally(() => {
        if (this.#draining === drain) this.#draining = undefined;
      });
      this.#draining = drain;
    }
    return this.#draining;
  }

  async #drain(): Promise<void> {
    while (!isEmpty(this.#batch)) {
      const batch = this.#batch;
      this.#batch = emptyBatch();
      try {
        if (batch.other.length === 0) await this.store.writeRunProgress(this.runId, batch);
        else
          await this.store.transaction(async (tx) => {
            for (const op of batch.other) await op(tx);
            await tx.writeRunProgress(this.runId, batch);
          });
      } catch (error) {
        this.error ??= error;
      }
    }
  }
}
