// What a rollout records for the delivery metrics: the commits it brings (read when it starts),
// the router's counters when it started, and, when it ends, its deploy record with the requests
// the router failed meanwhile that were not the new revision's own answers.
import { commitsBetween } from '../git/commit-range.js';
import type { Platform, ServiceRef } from '../platform/platform.js';
import type { RouterMetricsSnapshot } from '../platform/traffic-metrics.js';
import type { DeployRecord, DeployResult, TrafficEvidence } from '../store/delivery-records.js';
import type { Rollout, Store } from '../store/store.js';

/** The counters of one revision that the evidence needs. */
export interface TrafficCounters {
  readonly requests: number;
  readonly status5xx: number;
  readonly connectionErrors: number;
}

/** What a rollout's spec keeps from its start for its deploy record. */
export interface DeliveryStart {
  readonly changes: readonly { readonly sha: string; readonly time: number }[];
  /** The router's counters per revision when the rollout started; null when it had none to give. */
  readonly trafficAtStart: Readonly<Record<string, TrafficCounters>> | null;
}

function countersOf(snapshot: RouterMetricsSnapshot): Record<string, TrafficCounters> {
  const counters: Record<string, TrafficCounters> = {};
  for (const [id, m] of Object.entries(snapshot.revisions))
    counters[id] = { requests: m.requests, status5xx: m.status5xx, connectionErrors: m.connectionErrors };
  return counters;
}

/** The router's counters now, or null when the platform has none (no router yet, a host away). */
export async function trafficCounters(
  platform: Platform,
  ref: ServiceRef,
): Promise<Record<string, TrafficCounters> | null> {
  try {
    return countersOf(await platform.metrics(ref));
  } catch {
    return null;
  }
}

/**
 * The evidence between two readings: every revision but `next` counts its 5xx responses and its
 * connection errors (the router's own 502/503/504 included); `next` counts only its connection
 * errors, since its 5xx responses are its own answers. A counter that went down (a router that
 * restarted) counts from zero.
 */
export function trafficEvidence(
  before: Readonly<Record<string, TrafficCounters>>,
  after: Readonly<Record<string, TrafficCounters>>,
  next: string,
): TrafficEvidence {
  let requests = 0;
  let failed = 0;
  for (const [id, now] of Object.entries(after)) {
    const then = before[id];
    const delta = (key: keyof TrafficCounters) =>
      then && now[key] >= then[key] ? now[key] - then[key] : now[key];
    requests += delta('requests');
    failed += delta('connectionErrors') + (id === next ? 0 : delta('status5xx'));
  }
  return { requests, failed };
}

/** The commit the environment runs now: that of its latest completed deploy, or null. */
async function deployedCommit(store: Store, ref: ServiceRef): Promise<string | null> {
  const recent = await store.listRollouts({ service: ref.service, environment: ref.env, limit: 50 });
  return (
    recent.find((r) => r.phase === 'completed' && r.strategy !== 'rollback' && r.commitSha)?.commitSha ?? null
  );
}

/** Reads what a deploy of `commitSha` brings and the router's counters, before the rollout starts. */
export async function deliveryStart(
  deps: { readonly store: Store; readonly platform: Platform },
  ref: ServiceRef,
  projectDir: string,
  commitSha: string | null,
): Promise<DeliveryStart> {
  const [previous, trafficAtStart] = await Promise.all([
    deployedCommit(deps.store, ref),
    trafficCounters(deps.platform, ref),
  ]);
  const changes = commitSha === null ? [] : await commitsBetween(projectDir, previous, commitSha);
  return { changes, trafficAtStart };
}

/** The deploy record of a rollout that ended now with `result`. */
export async function deployRecordOf(
  platform: Platform,
  ref: ServiceRef,
  rollout: Rollout,
  start: DeliveryStart | undefined,
  next: string,
  result: DeployResult,
  decided?: { readonly decidedAt: number; readonly restoreMs: number | null },
): Promise<DeployRecord> {
  const after = start?.trafficAtStart ? await trafficCounters(platform, ref) : null;
  return {
    result,
    startedAt: rollout.startedAt,
    changes: start?.changes ?? [],
    traffic: start?.trafficAtStart && after ? trafficEvidence(start.trafficAtStart, after, next) : null,
    ...(decided ?? {}),
  };
}
