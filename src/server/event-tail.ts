// One poll of the event log per server, fanned out to every live stream: N clients cost one query per poll, not N.
import type { EventFilter, Store, StoredEvent } from '../store/store.js';
import type { ServerLogger } from './background.js';

/** Events are read this many at a time, by the tail and by a client catching up. */
const PAGE = 500;
/** A stream with nothing to send for this long gets a comment line, so proxies keep it open. */
export const HEARTBEAT_MS = 15_000;
/** A client that lets this much output pile up unread is dropped; it may resume with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Where a stream sends its frames (an http.ServerResponse). */
export interface StreamSink {
  write(chunk: string): boolean;
  end(): void;
  readonly writableLength: number;
}

/** What a stream asked for: its filter and where it starts. */
export interface StreamRequest {
  /** Types, service and run to pass; other fields are ignored. */
  readonly filter: EventFilter;
  /** Resume after this id (Last-Event-ID or afterId); undefined starts now. */
  readonly afterId: number | undefined;
}

/** Dependencies of the tail. */
export interface EventTailDeps {
  readonly store: Store;
  readonly logger: ServerLogger;
  readonly pollMs: number;
  /** Aborted when the server closes: every stream ends. */
  readonly closing: AbortSignal;
  readonly now?: () => number;
}

interface Subscriber {
  readonly request: StreamRequest;
  readonly sink: StreamSink;
  /** Events at or before this id were sent (or skipped); undefined: only events from `since` on count. */
  afterId: number | undefined;
  readonly since: number;
  /** False while catching up from the store: the tail's events wait in `pending`. */
  live: boolean;
  pending: StoredEvent[];
  quietSince: number;
  closed: boolean;
}

/** The SSE frame of an event. */
function frameOf(event: StoredEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Runs' pipelines (project names) remembered, so a project filter costs one read per run. */
const PIPELINES_KEPT = 10_000;

/** True when `event` passes the types, service, run and project of `filter`. */
function matches(filter: EventFilter, event: StoredEvent, pipelines: ReadonlyMap<number, string>): boolean {
  if (filter.types !== undefined && !filter.types.includes(event.type)) return false;
  if (filter.service !== undefined && event.service !== filter.service) return false;
  if (filter.runId !== undefined && event.runId !== filter.runId) return false;
  if (filter.project !== undefined) {
    if (event.runId === null) return filter.project.runlessToo;
    if (pipelines.get(event.runId) !== filter.project.pipeline) return false;
  }
  return true;
}

/**
 * The shared tail of the event log. It polls only while some stream is open, reading every new
 * event once, and hands each to the streams whose filter it passes; a stream that resumes from an
 * older id first reads its own backlog from the store, then joins the live feed without gaps or
 * repeats (ids only grow, and each stream remembers the last id it sent).
 */
export class EventTail {
  private readonly subscribers = new Set<Subscriber>();
  /** The tail's read position: after an id, or from a time on until the first event arrives. */
  private position: { readonly afterId: number } | { readonly since: number } | undefined;
  /** True while the poll loop runs; set and cleared synchronously, so a new stream never misses it. */
  private polling = false;
  private wake: (() => void) | undefined;
  private failing = false;
  private readonly now: () => number;
  private readonly pipelines = new Map<number, string>();

  constructor(private readonly deps: EventTailDeps) {
    this.now = deps.now ?? Date.now;
    deps.closing.addEventListener('abort', () => {
      for (const subscriber of [...this.subscribers]) this.drop(subscriber);
      this.wake?.();
    });
  }

  /** Sends `request`'s events to `sink` until `unsubscribe` (or the server closes). */
  subscribe(request: StreamRequest, sink: StreamSink): { unsubscribe(): void } {
    const now = this.now();
    const subscriber: Subscriber = {
      request,
      sink,
      afterId: request.afterId,
      since: now,
      live: request.afterId === undefined,
      pending: [],
      quietSince: Date.now(),
      closed: false,
    };
    if (this.deps.closing.aborted) {
      sink.end();
      return { unsubscribe() {} };
    }
    this.subscribers.add(subscriber);
    this.position ??= { since: now };
    if (!this.polling) {
      this.polling = true;
      void this.run();
    }
    if (!subscriber.live) void this.catchUp(subscriber);
    return { unsubscribe: () => this.drop(subscriber) };
  }

  private drop(subscriber: Subscriber): void {
    if (subscriber.closed) return;
    subscriber.closed = true;
    this.subscribers.delete(subscriber);
    subscriber.sink.end();
  }

  /** Reads the backlog of a resuming stream from the store, then lets it go live. */
  private async catchUp(subscriber: Subscriber): Promise<void> {
    try {
      while (!subscriber.closed) {
        const events = await this.deps.store.listEvents({
          ...subscriber.request.filter,
          limit: PAGE,
          ...(subscriber.afterId === undefined ? {} : { afterId: subscriber.afterId }),
        });
        for (const event of events) this.send(subscriber, event);
        if (events.length < PAGE) break;
      }
      const pending = subscriber.pending;
      subscriber.pending = [];
      subscriber.live = true;
      for (const event of pending) this.offer(subscriber, event);
    } catch (error) {
      this.deps.logger.error(
        `event stream stopped: ${error instanceof Error ? error.message : String(error)}`,
      );
      this.drop(subscriber);
    }
  }

  /** Hands a tailed event to a stream: queued while it catches up, else sent if new and wanted. */
  private offer(subscriber: Subscriber, event: StoredEvent, frame?: string): void {
    if (subscriber.closed) return;
    if (!subscriber.live) {
      subscriber.pending.push(event);
      return;
    }
    if (subscriber.afterId !== undefined ? event.id <= subscriber.afterId : event.time < subscriber.since)
      return;
    subscriber.afterId = event.id;
    if (matches(subscriber.request.filter, event, this.pipelines)) this.send(subscriber, event, frame);
  }

  private send(subscriber: Subscriber, event: StoredEvent, frame = frameOf(event)): void {
    if (subscriber.closed) return;
    subscriber.afterId = event.id;
    subscriber.quietSince = Date.now();
    subscriber.sink.write(frame);
    if (subscriber.sink.writableLength > MAX_BUFFERED_BYTES) this.drop(subscriber);
  }

  /** The poll loop: runs while any stream is open. */
  private async run(): Promise<void> {
    while (this.subscribers.size > 0 && !this.deps.closing.aborted) {
      let full = false;
      try {
        const position = this.position ?? { since: this.now() };
        const events = await this.deps.store.listEvents({
          limit: PAGE,
          ...('afterId' in position ? { afterId: position.afterId } : { since: position.since }),
        });
        this.failing = false;
        await this.resolvePipelines(events);
        const frames = new Map<number, string>();
        for (const event of events) {
          this.position = { afterId: event.id };
          for (const subscriber of this.subscribers) {
            if (!subscriber.live || !matches(subscriber.request.filter, event, this.pipelines)) {
              this.offer(subscriber, event);
              continue;
            }
            let frame = frames.get(event.id);
            if (frame === undefined) {
              frame = frameOf(event);
              frames.set(event.id, frame);
            }
            this.offer(subscriber, event, frame);
          }
        }
        full = events.length === PAGE;
      } catch (error) {
        // Kept going: the streams stay open and get the events once the store answers again.
        if (!this.failing)
          this.deps.logger.error(
            `event stream: reading the event log failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        this.failing = true;
      }
      this.heartbeat();
      if (!full) await this.sleep(this.deps.pollMs);
    }
    // The position is kept: the next start reads what came meanwhile by id (an index range) and
    // streams that start then skip it by time, instead of every poll scanning the log by time.
    this.polling = false;
  }

  /** Learns the pipeline of each run the events name, when some stream filters by project. */
  private async resolvePipelines(events: readonly StoredEvent[]): Promise<void> {
    if (![...this.subscribers].some((s) => s.request.filter.project !== undefined)) return;
    if (this.pipelines.size > PIPELINES_KEPT) this.pipelines.clear();
    const unknown = new Set<number>();
    for (const event of events)
      if (event.runId !== null && !this.pipelines.has(event.runId)) unknown.add(event.runId);
    for (const runId of unknown) {
      const run = await this.deps.store.getRun(runId);
      if (run) this.pipelines.set(runId, run.pipeline);
    }
  }

  private heartbeat(): void {
    const now = Date.now();
    for (const subscriber of this.subscribers) {
      if (now - subscriber.quietSince < HEARTBEAT_MS) continue;
      subscriber.quietSince = now;
      subscriber.sink.write(': ping\n\n');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = () => done();
      this.wake = wake;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.wake = undefined;
    });
  }
}
