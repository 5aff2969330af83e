// Prometheus metrics derived from the event log: each appended event is counted once, as the log is tailed.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store, StoredEvent } from '../store/store.js';
import { type DeliveryGaugeDeps, DeliveryGauges } from './delivery-gauges.js';

const PAGE = 1000;
const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

/** Counters and histograms of runs, jobs, deploys and rollbacks, the run queue depth and the delivery gauges. */
export class ServerMetrics {
  /** The registry /metrics renders; one per server, never the global one. */
  readonly registry = new Registry();
  private lastId = 0;
  private catching: Promise<void> | undefined;
  private readonly runs = new Counter({
    name: 'slipway_runs_total',
    help: 'Finished pipeline runs by status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly jobs = new Counter({
    name: 'slipway_jobs_total',
    help: 'Finished jobs by status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly deploys = new Counter({
    name: 'slipway_deploys_total',
    help: 'Deployments (service.deployed and service.upgraded) by environment',
    labelNames: ['environment'],
    registers: [this.registry],
  });
  private readonly rollbacks = new Counter({
    name: 'slipway_rollbacks_total',
    help: 'Rollbacks (service.rolledback) by environment',
    labelNames: ['environment'],
    registers: [this.registry],
  });
  private readonly runDuration = new Histogram({
    name: 'slipway_run_duration_seconds',
    help: 'Duration of finished pipeline runs',
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly jobDuration = new Histogram({
    name: 'slipway_job_duration_seconds',
    help: 'Duration of finished jobs',
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  private readonly delivery: DeliveryGauges | undefined;

  /** Without `delivery` there are no `slipway_delivery_*` gauges. */
  constructor(
    private readonly store: Store,
    delivery?: Omit<DeliveryGaugeDeps, 'store'>,
  ) {
    const metrics = this;
    this.delivery = delivery ? new DeliveryGauges(this.registry, { ...delivery, store }) : undefined;
    new Gauge({
      name: 'slipway_queue_depth',
      help: 'Pipeline runs queued behind a concurrency group',
      registers: [this.registry],
      async collect() {
        this.set((await metrics.store.listRuns({ status: 'queued', limit: 10_000 })).length);
      },
    });
    new Gauge({
      name: 'slipway_event_log_last_id',
      help: 'Id of the last event counted',
      registers: [this.registry],
      collect() {
        this.set(metrics.lastId);
      },
    });
  }

  /** Counts every event appended since the last call (one catch-up at a time). */
  catchUp(): Promise<void> {
    this.catching ??= this.readNew().finally(() => {
      this.catching = undefined;
    });
    return this.catching;
  }

  /** The Prometheus text exposition, counting the newest events and computing the delivery gauges first. */
  async text(): Promise<string> {
    await Promise.all([this.catchUp(), this.delivery?.refresh()]);
    return this.registry.metrics();
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const events = await this.store.listEvents({ afterId: this.lastId, limit: PAGE });
      for (const event of events) {
        this.observe(event);
        this.lastId = event.id;
      }
      if (events.length < PAGE) return;
    }
  }

  private observe(event: StoredEvent): void {
    const status = typeof event.data.status === 'string' ? event.data.status : 'unknown';
    const seconds = typeof event.data.durationMs === 'number' ? event.data.durationMs / 1000 : undefined;
    switch (event.type) {
      case 'pipelinerun.finished':
        this.runs.inc({ status });
        if (seconds !== undefined) this.runDuration.observe(seconds);
        break;
      case 'taskrun.finished':
        this.jobs.inc({ status });
        if (seconds !== undefined) this.jobDuration.observe(seconds);
        break;
      case 'service.deployed':
      case 'service.upgraded':
        this.deploys.inc({ environment: event.environment ?? 'unknown' });
        break;
      case 'service.rolledback':
        this.rollbacks.inc({ environment: event.environment ?? 'unknown' });
        break;
      default:
        break;
    }
  }
}
