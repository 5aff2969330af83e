/**
 * Where job output goes: split into lines, masked, stored in batches, and shown to the
 * reporter. Bounded: past the per-attempt limit lines are counted, not stored.
 */

import type { LogStream, NewLogLine, Store } from '../../store/store.js';
import { LineSplitter } from '../process/line-splitter.js';
import type { Reporter } from '../run-events.js';
import { createStreamMasker, type Masker, type StreamMasker } from '../secrets/masker.js';

/** Most bytes of output stored per job attempt; the rest is counted and reported as truncated. */
export const MAX_STORED_BYTES_PER_ATTEMPT = 8 * 1024 * 1024;
const FLUSH_LINES = 500;
const FLUSH_MS = 100;

interface StreamState {
  masker: StreamMasker;
  lines: LineSplitter;
}

/** One job attempt's writer: feed it chunks, end it when the attempt ends. */
export interface AttemptLog {
  write(stream: 'stdout' | 'stderr', chunk: string): void;
  system(text: string): void;
  end(): void;
}

/** Buffers log lines for the store and forwards them to the reporter. */
export class LogSink {
  #pending: NewLogLine[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #error: unknown;

  constructor(
    private readonly deps: {
      store: Store;
      reporter: Reporter;
      masker: Masker;
      runId: number;
      clock: { now(): number };
    },
  ) {}

  /** Opens the log of one attempt of one job. */
  attempt(jobKey: string, attempt: number): AttemptLog {
    const streams = new Map<string, StreamState>();
    let stored = 0;
    let dropped = 0;
    const emit = (stream: LogStream, text: string) => {
      const size = text.length + 1;
      if (stored + size > MAX_STORED_BYTES_PER_ATTEMPT) {
        dropped += size;
        return;
      }
      stored += size;
      this.#add({ runId: this.deps.runId, jobKey, attempt, stream, text });
      this.deps.reporter.report({ type: 'job.log', job: jobKey, stream, text });
    };
    const state = (stream: 'stdout' | 'stderr'): StreamState => {
      let s = streams.get(stream);
      if (!s) {
        s = { masker: createStreamMasker(this.deps.masker), lines: new LineSplitter() };
        streams.set(stream, s);
      }
      return s;
    };
    return {
      write: (stream, chunk) => {
        const s = state(stream);
        for (const line of s.lines.push(s.masker.push(chunk))) emit(stream, line);
      },
      system: (text) => emit('system', this.deps.masker.mask(text)),
      end: () => {
        for (const [stream, s] of streams) {
          for (const line of s.lines.push(s.masker.flush())) emit(stream as LogStream, line);
          for (const line of s.lines.flush()) emit(stream as LogStream, line);
        }
        if (dropped > 0) {
          stored = 0;
          emit(
            'system',
            `output truncated: ${dropped} more bytes were not stored (limit ${MAX_STORED_BYTES_PER_ATTEMPT} bytes per attempt)`,
          );
        }
      },
    };
  }

  #add(line: NewLogLine): void {
    this.#pending.push({ ...line, time: this.deps.clock.now() });
    if (this.#pending.length >= FLUSH_LINES) void this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.#timer.unref();
    }
  }

  /** Hands over the buffered lines (for a caller that stores them in its own transaction). */
  take(): NewLogLine[] {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    return batch;
  }

  /** Writes everything buffered; resolves when it is stored. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length > 0) {
      this.#flushing = this.#flushing.then(() =>
        this.deps.store.appendLogs(batch).catch((error: unknown) => {
          this.#error = error;
        }),
      );
    }
    return this.#flushing.then(() => {
      if (this.#error) throw this.#error;
    });
  }
}
