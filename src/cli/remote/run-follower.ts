/** Follows a run on a server until it ends: its events from the SSE stream, its log lines by paging. */
import type { z } from 'zod';
import type { RunSchema } from '../../pipeline/run-schema.js';
import type { LogLine, StoredEvent } from '../../store/store.js';
import type { ApiClient } from './api-client.js';
import { EventFollower, EventPump } from './event-follower.js';

/** A run as the API shows it. */
export type ApiRun = z.infer<typeof RunSchema>;

/** What following a run reports, in order. */
export interface RunFollowHandlers {
  /** Every stored event of the run, in id order. */
  onEvent?(event: StoredEvent): void;
  /** Every stored log line (of `job` when set), in id order. */
  onLog(line: LogLine): void;
}

/** How a run is followed. */
export interface RunFollowOptions {
  /** Only this job's log lines. */
  readonly job?: string;
  /** Hold a job's log lines until its start event was reported, so output reads in order. */
  readonly logsAfterStart?: boolean;
}

const ACTIVE: readonly string[] = ['queued', 'running', 'waiting'];
const PAGE = 1000;
/** How often logs are fetched while no event arrives. */
const TICK_MS = 300;
/** How often the run itself is checked, in case its final event never comes. */
const CHECK_MS = 2000;

/** Reads the run's log lines after `afterId`, all pages. */
export async function readRunLogs(
  client: ApiClient,
  runId: number,
  afterId: number,
  job?: string,
): Promise<LogLine[]> {
  const all: LogLine[] = [];
  for (;;) {
    const { lines } = await client.get<{ lines: LogLine[] }>(`/api/v1/runs/${runId}/logs`, {
      job,
      afterId,
      limit: PAGE,
    });
    all.push(...lines);
    const last = lines[lines.length - 1];
    if (lines.length < PAGE || last === undefined) return all;
    afterId = last.id;
  }
}

/** Reports a run's events and logs from its start until it ends; returns the finished run. */
export async function followRun(
  client: ApiClient,
  runId: number,
  handlers: RunFollowHandlers,
  options: RunFollowOptions = {},
): Promise<ApiRun> {
  let afterId = 0;
  const started = new Set<string>();
  let held: LogLine[] = [];
  const release = (all: boolean) => {
    const keep: LogLine[] = [];
    for (const line of held) {
      if (all || started.has(line.jobKey)) handlers.onLog(line);
      else keep.push(line);
    }
    held = keep;
  };
  const drain = async () => {
    const lines = await readRunLogs(client, runId, afterId, options.job);
    for (const line of lines) afterId = line.id;
    held.push(...lines);
    release(options.logsAfterStart !== true);
  };
  const getRun = async () => (await client.get<{ run: ApiRun }>(`/api/v1/runs/${runId}`)).run;

  // afterId 0 with the run filter replays the run's events from its start, then follows live ones.
  const follower = await EventFollower.open(client, { run: runId }, 0);
  const pump = new EventPump(follower);
  let checkedAt = Date.now();
  let streamEnded = false;
  try {
    for (;;) {
      const next = streamEnded ? { kind: 'tick' as const } : await pump.next(TICK_MS);
      if (next.kind === 'item') {
        const event = next.value;
        if (event.type === 'taskrun.started' && event.subject) started.add(event.subject);
        if (event.type === 'taskrun.finished' || event.type === 'pipelinerun.finished') await drain();
        handlers.onEvent?.(event);
        if (event.type === 'taskrun.started') release(false);
        if (event.type === 'pipelinerun.finished') break;
        continue;
      }
      if (next.kind === 'end') streamEnded = true;
      if (streamEnded) await new Promise((resolve) => setTimeout(resolve, TICK_MS));
      await drain();
      if (streamEnded || Date.now() - checkedAt >= CHECK_MS) {
        checkedAt = Date.now();
        if (!ACTIVE.includes((await getRun()).status)) break;
      }
    }
    await drain();
    release(true);
  } finally {
    follower.close();
  }
  return getRun();
}
