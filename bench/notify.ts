// Durable notification delivery under failure: 1,000 notifications queued in a real SQLite store,
// sent through the webhook channel by an outbox worker in a child process to a receiver on
// 127.0.0.1 that answers 20% of requests with a 500 at random. The worker is SIGKILLed once, at a
// random moment after 300 deliveries, and a new one started. The receiver counts deliveries (2xx) and duplicates by
// the CloudEvent id, the idempotency key. Prints one JSON line
// {"bench":"notify","events":1000,"delivered":N,"duplicates":N,"seconds":N}
// and exits 1 unless everything was delivered, with no duplicate, in under 30 s.
// Run with `npm run bench:notify` (`node --import tsx bench/notify.ts`).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Notification } from '../src/notifications/notification.js';
import { enqueueNotification } from '../src/notifications/outbox.js';
import { OutboxWorker, systemOutboxClock } from '../src/notifications/outbox-worker.js';
import { WebhookChannel } from '../src/notifications/webhook-channel.js';
import { leaseOwnerId } from '../src/store/lease-owner.js';
import { openStore } from '../src/store/open-store.js';

const EVENTS = 1000;
const FAILURE_RATE = 0.2;
const KILL_AFTER = 300;
const TARGET_SECONDS = 30;
const DEADLINE_MS = 60_000;
const CHANNEL = 'bench-hook';

/** What a worker process is told. */
interface WorkerConfig {
  readonly projectDir: string;
  readonly url: string;
}

/**
 * The worker's pacing for a loopback receiver: short back-off (25 ms doubling to 400 ms) and a
 * short lease, so a killed worker's deliveries are taken over within seconds. The lease still
 * exceeds the channel's timeout, as it must. One send at a time: on loopback the worker is
 * CPU-bound, so more sends at once add no throughput, only more deliveries sitting between the
 * receiver's 2xx and its record, the window in which a SIGKILL makes a duplicate.
 */
const WORKER_OPTIONS = {
  retry: { baseMs: 25, capMs: 400, maxAttempts: 30, maxRetryAfterMs: 1_000 },
  leaseMs: 1_500,
  concurrency: 1,
  pollMs: 25,
} as const;
const SEND_TIMEOUT_MS = 1_000;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** The worker process: sends the outbox until SIGTERM (or until it is killed). */
async function runWorker(config: WorkerConfig): Promise<void> {
  const store = await openStore({ projectDir: config.projectDir });
  const channel = new WebhookChannel(
    { url: config.url, source: '/slipway-bench', timeoutMs: SEND_TIMEOUT_MS },
    { now: () => Date.now() },
  );
  const stop = new AbortController();
  process.on('SIGTERM', () => stop.abort());
  const worker = new OutboxWorker(
    {
      store,
      channels: new Map([[CHANNEL, channel]]),
      clock: systemOutboxClock(),
      logger: { info: () => {}, error: (m) => log(`worker ${process.pid}: ${m}`) },
      owner: leaseOwnerId(),
    },
    WORKER_OPTIONS,
  );
  await worker.run(stop.signal);
  await store.close();
}

/** The receiver: fails FAILURE_RATE of requests with a 500, counts deliveries and duplicates by key. */
async function startReceiver() {
  const delivered = new Set<string>();
  const stats = { requests: 0, failed: 0, duplicates: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      stats.requests++;
      if (Math.random() < FAILURE_RATE) {
        stats.failed++;
        res.writeHead(500).end('injected failure');
        return;
      }
      const key = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }).id;
      if (delivered.has(key)) stats.duplicates++;
      delivered.add(key);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/bench`,
    delivered,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function startWorker(config: WorkerConfig): ChildProcess {
  const self = fileURLToPath(import.meta.url);
  return spawn(process.execPath, ['--import', 'tsx', self, 'worker', JSON.stringify(config)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

function notification(i: number, at: number): Notification {
  return {
    trigger: 'deploy.completed',
    id: `bench-${String(i).padStart(4, '0')}`,
    title: `web deployed (${i})`,
    text: `Revision ${i} of web is serving production.`,
    service: 'web',
    environment: 'production',
    at,
    outcome: 'success',
  };
}

async function main(): Promise<number> {
  const projectDir = mkdtempSync(join(tmpdir(), 'slipway-bench-notify-'));
  let worker: ChildProcess | undefined;
  let killed = false;
  const receiver = await startReceiver();
  const store = await openStore({ projectDir });
  try {
    const started = Date.now();
    for (let i = 0; i < EVENTS; i++)
      await enqueueNotification(store, notification(i, started), [
        { name: CHANNEL, triggers: ['deploy.completed'] },
      ]);
    const config = { projectDir, url: receiver.url };
    worker = startWorker(config);
    const deadline = started + DEADLINE_MS;
    let recorded = 0;
    while (Date.now() < deadline) {
      // The kill comes from a process of its own after a random delay, so it lands at no particular
      // point of the worker's work. (Sent from this loop, it would follow the receiver's handling of
      // a request in the same event loop, and so land just after a 2xx far more often than chance.)
      if (!killed && receiver.delivered.size >= KILL_AFTER) {
        killed = true;
        const victim = worker;
        const delayS = (Math.random() * 0.1).toFixed(3);
        spawn('sh', ['-c', `sleep ${delayS}; kill -KILL ${victim.pid}`], { stdio: 'ignore' });
        await exited(victim);
        log(
          `killed worker ${victim.pid} ${delayS} s after ${KILL_AFTER} deliveries, at ${receiver.delivered.size}`,
        );
        worker = startWorker(config);
      }
      if (receiver.delivered.size === EVENTS) {
        recorded = (await store.listNotificationDeliveries({ status: 'delivered', limit: EVENTS })).length;
        if (recorded === EVENTS) break;
      }
      await sleep(10);
    }
    const seconds = Math.round((Date.now() - started) / 10) / 100;
    worker.kill('SIGTERM');
    await exited(worker);
    const failed = (await store.listNotificationDeliveries({ status: 'failed' })).length;
    log(
      `requests ${receiver.stats.requests}, injected 500s ${receiver.stats.failed}, recorded delivered ${recorded}, failed for good ${failed}, worker killed ${killed}`,
    );
    const result = {
      bench: 'notify',
      events: EVENTS,
      delivered: receiver.delivered.size,
      duplicates: receiver.stats.duplicates,
      seconds,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    const met =
      result.delivered === EVENTS &&
      recorded === EVENTS &&
      result.duplicates === 0 &&
      killed &&
      seconds < TARGET_SECONDS;
    return met ? 0 : 1;
  } finally {
    if (worker?.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await store.close();
    await receiver.close();
    rmSync(projectDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'worker') {
  await runWorker(JSON.parse(process.argv[3] ?? '{}') as WorkerConfig);
} else {
  process.exitCode = await main();
}
