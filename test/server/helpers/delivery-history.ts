// A small delivery history written straight into a project's event log, as rollouts, `slipway
// rollback`, incidents and pipeline runs record it, in the three whole weeks before this one.
import { weekStart } from '../../../src/metrics/weekly-series.js';
import type { NewEvent, Store } from '../../../src/store/store.js';

/** Two services in two environments, with targets of their own: deploys succeed > 50%, rollbacks < 5 min. */
export const DELIVERY_PROJECT = `version: 1
project: { name: shop }
services:
  web: { run: node server.js }
  api: { run: node api.js }
environments:
  production: {}
  staging: {}
slo:
  deploySuccessRate: 50
  rollbackTime: 5m
`;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;

/** The Mondays (UTC) of the history's three weeks, oldest first. */
export interface DeliveryHistory {
  readonly weeks: readonly [number, number, number];
}

/**
 * Writes, in production (hours are UTC):
 * - week 0: web completes Tuesday 10:00 (commits 2 h and 4 h before) and Wednesday 10:00 (1 h);
 * - week 1: web is rolled back Tuesday (started 09:50, decided 09:55, traffic back 30 s later), then
 *   completes Wednesday 10:00 (6 h); in staging, web completes Thursday;
 * - week 2: api completes Monday 12:00 (30 min; no router measured it) and `slipway rollback` undoes
 *   it from 13:00 to 13:01; an incident on web opens Thursday 08:00 and closes at 10:00;
 * - two pipeline runs of 5 and 20 minutes in week 2.
 * Router evidence: every web rollout served 1000 requests, and the rolled-back one failed 2 of 500.
 */
export async function writeDeliveryHistory(store: Store, now = Date.now()): Promise<DeliveryHistory> {
  const w0 = weekStart(now) - 3 * 7 * DAY;
  const w1 = w0 + 7 * DAY;
  const w2 = w1 + 7 * DAY;
  const clean = { requests: 1000, failed: 0 };
  const completed = (
    service: string,
    time: number,
    commitsBefore: readonly number[],
    traffic: { requests: number; failed: number } | null,
    environment = 'production',
  ): NewEvent => ({
    type: 'service.deployed',
    actor: 'alice',
    service,
    environment,
    time,
    data: {
      deploy: {
        result: 'completed',
        startedAt: time - 10 * MINUTE,
        changes: commitsBefore.map((hours, i) => ({
          sha: `${service}${time}${i}`,
          time: time - hours * HOUR,
        })),
        traffic,
      },
    },
  });
  const events: NewEvent[] = [
    completed('web', w0 + DAY + 10 * HOUR, [2, 4], clean),
    completed('web', w0 + 2 * DAY + 10 * HOUR, [1], clean),
    {
      type: 'service.rolledback',
      actor: 'slipway',
      service: 'web',
      environment: 'production',
      time: w1 + DAY + 10 * HOUR,
      data: {
        deploy: {
          result: 'rolled_back',
          startedAt: w1 + DAY + 9 * HOUR + 50 * MINUTE,
          changes: [{ sha: 'bad1', time: w1 + DAY + 7 * HOUR }],
          traffic: { requests: 500, failed: 2 },
          decidedAt: w1 + DAY + 9 * HOUR + 55 * MINUTE,
          restoreMs: 30_000,
        },
      },
    },
    completed('web', w1 + 2 * DAY + 10 * HOUR, [6], clean),
    completed('web', w1 + 3 * DAY + 10 * HOUR, [1], clean, 'staging'),
    completed('api', w2 + 12 * HOUR, [0.5], null),
    {
      type: 'service.rolledback',
      actor: 'bob',
      service: 'api',
      environment: 'production',
      time: w2 + 13 * HOUR + MINUTE,
      data: { manual: true, rollback: { startedAt: w2 + 13 * HOUR, restoreMs: 60_000 } },
    },
    ...[5, 20].map(
      (minutes, i): NewEvent => ({
        type: 'pipelinerun.finished',
        actor: 'ci',
        time: w2 + (14 + i) * HOUR,
        data: { status: 'success', durationMs: minutes * MINUTE, pipeline: 'shop' },
      }),
    ),
  ];
  for (const event of events) await store.appendEvent(event);
  const opened = await store.appendEvent({
    type: 'incident.detected',
    actor: 'carol',
    service: 'web',
    environment: 'production',
    subject: 'incident',
    time: w2 + 3 * DAY + 8 * HOUR,
    data: { title: 'checkout errors' },
  });
  await store.appendEvent({
    type: 'incident.resolved',
    actor: 'carol',
    service: 'web',
    environment: 'production',
    subject: 'incident',
    time: w2 + 3 * DAY + 10 * HOUR,
    data: { incident: opened.id },
  });
  return { weeks: [w0, w1, w2] };
}

/** The week label (`YYYY-MM-DD`) of a Monday. */
export const weekLabel = (monday: number) => new Date(monday).toISOString().slice(0, 10);
