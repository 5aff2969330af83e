// The events of bench:metrics' history on their way to the log: episodes (a pipeline run, a
// rollout, an incident) emit events dated in the future of the day being generated; the timeline
// holds them and hands them out in time order once no later episode can come before them, each
// numbered with the id a fresh log will give it (1, 2, 3... in insert order). That is how an
// incident.resolved learns the id of the incident.detected it closes.
import type { NewEvent } from '../../src/store/store.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An event before its id is known. */
export interface Draft {
  readonly time: number;
  readonly seq: number;
  readonly event: Omit<NewEvent, 'time'>;
  /** The incident.detected this incident.resolved closes: its id goes in `data.incident`. */
  readonly resolves?: Draft;
  id?: number;
}

/** Events in time order, numbered as the log will number them. */
export class EventTimeline {
  #pending: Draft[] = [];
  #seq = 0;
  #nextId = 1;

  /** `end`: nothing after it happened yet; `observe` sees each event as it is handed out. */
  constructor(
    private readonly end: number,
    private readonly observe: (event: NewEvent & { readonly time: number }) => void,
  ) {}

  /** Schedules `event` at `time` (dropped when after the end: a rollout still running, an open incident). */
  emit(time: number, event: Omit<NewEvent, 'time'>, resolves?: Draft): Draft {
    const draft: Draft = {
      time: Math.round(time),
      seq: this.#seq++,
      event,
      ...(resolves ? { resolves } : {}),
    };
    if (draft.time <= this.end) this.#pending.push(draft);
    return draft;
  }

  /** The events before `until`, in time order (ties in emit order), numbered. */
  flush(until: number): NewEvent[] {
    this.#pending.sort((a, b) => a.time - b.time || a.seq - b.seq);
    let count = 0;
    while (count < this.#pending.length && this.#pending[count]!.time < until) count++;
    const ready = this.#pending.slice(0, count);
    this.#pending = this.#pending.slice(count);
    return ready.map((draft) => {
      draft.id = this.#nextId++;
      const { event } = draft;
      const data = draft.resolves === undefined ? event.data : { ...event.data, incident: draft.resolves.id };
      const out = { ...event, time: draft.time, ...(data ? { data } : {}) };
      this.observe(out);
      return out;
    });
  }
}
