/** Follows the server's event stream: parsed events, reconnecting with Last-Event-ID when it drops. */
import type { StoredEvent } from '../../store/store.js';
import type { ApiClient, OpenStream, Query } from './api-client.js';
import { RemoteError } from './remote-error.js';

const STREAM_PATH = '/api/v1/events/stream';
const RECONNECTS = 5;

/** Events of `/api/v1/events/stream` matching a filter, in id order, until `close`. */
export class EventFollower implements AsyncIterable<StoredEvent> {
  private closed = false;
  private lastId: number | undefined;

  private constructor(
    private readonly client: ApiClient,
    private readonly query: Query,
    private stream: OpenStream,
    afterId: number | undefined,
  ) {
    this.lastId = afterId;
  }

  /**
   * Opens the stream. Without `afterId` it starts now: anything recorded after this resolves is
   * seen, which is how a deploy follows the rollout it is about to start.
   */
  static async open(client: ApiClient, query: Query, afterId?: number): Promise<EventFollower> {
    const stream = await client.openStream(STREAM_PATH, query, afterId);
    return new EventFollower(client, query, stream, afterId);
  }

  /** Stops reading; a pending iteration ends. */
  close(): void {
    this.closed = true;
    this.stream.close();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<StoredEvent> {
    let failures = 0;
    while (!this.closed) {
      for await (const message of this.stream.messages) {
        failures = 0;
        let event: StoredEvent;
        try {
          event = JSON.parse(message.data) as StoredEvent;
        } catch (error) {
          throw new RemoteError('BAD_RESPONSE', `the event stream sent data that is not JSON`, {
            cause: error,
          });
        }
        this.lastId = event.id;
        yield event;
      }
      if (this.closed) return;
      // The server closed the stream (a restart, a proxy timeout): resume after the last event seen.
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** failures));
      try {
        this.stream = await this.client.openStream(STREAM_PATH, this.query, this.lastId);
      } catch (error) {
        if (++failures >= RECONNECTS || !(error instanceof RemoteError) || error.code !== 'UNREACHABLE')
          throw error;
      }
    }
  }
}

/** Reads an async iterable with a deadline per item: the next item, `tick` when `ms` pass first, or `end`. */
export class EventPump<T> {
  private readonly iterator: AsyncIterator<T>;
  private pending: Promise<IteratorResult<T>> | undefined;

  constructor(source: AsyncIterable<T>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The next item, or `tick` after `ms` without one (the read stays pending for the next call). */
  async next(ms: number): Promise<{ kind: 'item'; value: T } | { kind: 'tick' } | { kind: 'end' }> {
    this.pending ??= this.iterator.next();
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<'tick'>((resolve) => {
      timer = setTimeout(() => resolve('tick'), ms);
    });
    try {
      const winner = await Promise.race([this.pending, tick]);
      if (winner === 'tick') return { kind: 'tick' };
      this.pending = undefined;
      return winner.done ? { kind: 'end' } : { kind: 'item', value: winner.value };
    } finally {
      clearTimeout(timer);
    }
  }
}
