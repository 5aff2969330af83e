// Requests waiting for an instance: held in arrival order until a new route table can place them,
// until they time out, or until the queue is full.

/** Something the router could not route yet. */
export interface Holdable {
  /** Tries again against the current table; true when the item no longer needs holding. */
  retry(): boolean;
  /** Gives up: answers 503 (or closes the tunnel). */
  expire(): void;
}

/** FIFO of held items, each with its own deadline. */
export class HoldQueue<T extends Holdable> {
  readonly #items = new Map<T, NodeJS.Timeout>();
  readonly #maxHeld: number;
  readonly #timeoutMs: number;

  constructor(maxHeld: number, timeoutMs: number) {
    this.#maxHeld = maxHeld;
    this.#timeoutMs = timeoutMs;
  }

  get size(): number {
    return this.#items.size;
  }

  /** Holds `item`; false when the queue is full or holding is disabled (the caller answers 503). */
  add(item: T): boolean {
    if (this.#items.size >= this.#maxHeld || this.#timeoutMs <= 0) return false;
    const timer = setTimeout(() => {
      if (this.#items.delete(item)) item.expire();
    }, this.#timeoutMs);
    this.#items.set(item, timer);
    return true;
  }

  /** Forgets `item` (its client went away). */
  remove(item: T): void {
    const timer = this.#items.get(item);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#items.delete(item);
  }

  /** Retries every held item in arrival order, keeping the ones that still cannot be routed. */
  flush(): void {
    if (this.#items.size === 0) return;
    for (const [item, timer] of [...this.#items]) {
      if (!this.#items.has(item)) continue;
      if (item.retry()) {
        clearTimeout(timer);
        this.#items.delete(item);
      }
    }
  }

  /** Expires every held item now (router shutdown). */
  expireAll(): void {
    const items = [...this.#items];
    this.#items.clear();
    for (const [item, timer] of items) {
      clearTimeout(timer);
      item.expire();
    }
  }
}
