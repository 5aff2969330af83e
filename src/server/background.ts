// Long operations started by a request and finished inside the server: tracked, logged, awaited on close.
import type { Store } from '../store/store.js';

/** Logs lines of the server; the CLI prints them, tests may collect them. */
export interface ServerLogger {
  info(message: string): void;
  error(message: string): void;
}

/** Work running after its request was answered; `drain` waits for all of it. */
export class BackgroundTasks {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly logger: ServerLogger) {}

  /** Keeps `work` until it settles; a failure is logged, never left unhandled. */
  track(name: string, work: Promise<unknown>): void {
    const tracked = work.then(
      () => undefined,
      (error: unknown) => {
        this.logger.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  /** Resolves once every tracked task has settled. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/**
 * A view of `store` whose `method` (createRun or createRollout) also reports the new row's id,
 * so a request can answer 202 with the id while the use case goes on in the background.
 */
export function observeCreates(
  store: Store,
  method: 'createRun' | 'createRollout',
  onCreate: (id: number) => void,
): Store {
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property !== method) return value.bind(target);
      return async (...args: unknown[]) => {
        const row = (await value.apply(target, args)) as { id: number };
        onCreate(row.id);
        return row;
      };
    },
  });
}

/** How a background operation looked when the request answered. */
export type Started<T> =
  | { readonly kind: 'created'; readonly id: number }
  | { readonly kind: 'settled'; readonly value: T }
  | { readonly kind: 'pending' };

/**
 * Runs `work` with an observed store and answers as soon as it created its row, finished, or
 * `waitMs` passed. A failure before any row exists is thrown, so the request reports it.
 */
export async function startObserved<T>(
  tasks: BackgroundTasks,
  name: string,
  store: Store,
  method: 'createRun' | 'createRollout',
  work: (store: Store, created: Promise<number>) => Promise<T>,
  waitMs: number,
): Promise<Started<T>> {
  let onCreate: (id: number) => void = () => {};
  const created = new Promise<number>((resolve) => {
    onCreate = resolve;
  });
  const done = work(observeCreates(store, method, onCreate), created);
  let timer: NodeJS.Timeout | undefined;
  try {
    const first = await Promise.race([
      created.then((id) => ({ kind: 'created', id }) as const),
      done.then((value) => ({ kind: 'settled', value }) as const),
      new Promise<{ kind: 'pending' }>((resolve) => {
        timer = setTimeout(() => resolve({ kind: 'pending' }), waitMs);
      }),
    ]);
    if (first.kind !== 'settled') tasks.track(name, done);
    return first;
  } finally {
    clearTimeout(timer);
  }
}
