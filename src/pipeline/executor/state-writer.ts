/**
 * Writes a run's state changes in order, committed in batches: a change waits up to `coalesceMs`
 * to share a transaction with others, unless `flush` asks for it now. The scheduler flushes
 * before starting anything that follows a finished job, so a resumed run never repeats one.
 */
import type { Store, StoreOperations } from '../../store/store.js';

/** One write, made inside the batch's transaction. */
export type StateWrite = (tx: StoreOperations) => Promise<unknown>;

/** Queues writes and commits them in batches. */
export class StateWriter {
  #queue: StateWrite[] = [];
  #draining: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The first error a batch met; later batches still run. */
  error: unknown;

  constructor(
    private readonly store: Store,
    private readonly coalesceMs: number,
  ) {}

  /** Queues a write; it is committed within `coalesceMs`, or at the next flush. */
  write(op: StateWrite): void {
    this.#queue.push(op);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#draining ??= this.#drain();
    }, this.coalesceMs);
  }

  /** Commits everything queued so far; resolves when it is stored. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#draining) await this.#draining;
    if (this.#queue.length > 0) {
      this.#draining = this.#drain();
      await this.#draining;
    }
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await this.store.transaction(async (tx) => {
          for (const op of batch) await op(tx);
        });
      } catch (error) {
        this.error ??= error;
      }
    }
    this.#draining = undefined;
  }
}
