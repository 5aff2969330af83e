/**
 * The notification outbox end to end, on SQLite and PostgreSQL, through the real webhook channel
 * to real HTTP receivers on 127.0.0.1: a 500 is retried until delivered, a 400 fails for good with
 * its secrets redacted, two workers sharing a store never send one delivery at once, and a
 * delivery whose worker died mid-send is finished by another once the lease runs out.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NotificationChannel } from '../../src/notifications/channel.js';
import type { Notification } from '../../src/notifications/notification.js';
import { enqueueNotification, idempotencyKeyOf } from '../../src/notifications/outbox.js';
import {
  OutboxWorker,
  type OutboxWorkerOptions,
  systemOutboxClock,
} from '../../src/notifications/outbox-worker.js';
import { WebhookChannel } from '../../src/notifications/webhook-channel.js';
import type { Store } from '../../src/store/store.js';
import { createBackends, openAt, rawQuery } from '../store/helpers/backends.js';
import { DEPLOY_COMPLETED } from './notification-fixtures.js';
import { startHttpReceiver } from './receivers/http-receiver.js';

const wallClock = { now: () => Date.now() };
const TOKEN = 'tok-7f3a9c1e5b2d4868';
const QUERY_KEY = 'k9Qz4Lw2';
const FAST: OutboxWorkerOptions = {
  retry: { baseMs: 20, capMs: 50, maxAttempts: 5, maxRetryAfterMs: 1_000 },
  leaseMs: 2_000,
  concurrency: 4,
  pollMs: 20,
};

function webhook(origin: string): WebhookChannel {
  return new WebhookChannel(
    {
      url: `${origin}/hooks/slipway?key=${QUERY_KEY}`,
      source: '/slipway',
      timeoutMs: 1_000,
      headers: { authorization: `Bearer ${TOKEN}` },
    },
    wallClock,
  );
}

function collectingLogger() {
  const lines: string[] = [];
  return { lines, info: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
}

function worker(store: Store, channel: NotificationChannel, owner: string, logger = collectingLogger()) {
  return new OutboxWorker(
    {
      store,
      channels: new Map([['ops-hook', channel]]),
      clock: systemOutboxClock(),
      logger,
      owner,
      random: () => 0.5,
    },
    FAST,
  );
}

const SUBSCRIBED = [{ name: 'ops-hook', triggers: ['deploy.completed' as const] }];

/** Runs `step` until `done` says so, at most `tries` times. */
async function until(step: () => Promise<unknown>, done: () => Promise<boolean>, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await done()) return;
    await step();
    await sleep(5);
  }
  assert.fail('gave up waiting');
}

/** The CloudEvent id (the idempotency key) of a webhook body. */
const keyOf = (body: Buffer) => (JSON.parse(body.toString('utf8')) as { id: string }).id;

for (const backend of createBackends()) {
  describe(`notification outbox: ${backend.name}`, { concurrency: true, timeout: 60_000 }, () => {
    after(() => backend.cleanup());

    test('enqueue makes one delivery per subscribed channel, once', async () => {
      const { store, location } = await backend.fresh(wallClock);
      const channels = [
        { name: 'ops-hook', triggers: ['deploy.completed' as const] },
        { name: 'team-slack', triggers: ['pipeline.failed' as const] },
        { name: 'audit', triggers: ['deploy.completed' as const, 'sync.failed' as const] },
      ];
      assert.deepEqual(await enqueueNotification(store, DEPLOY_COMPLETED, channels), ['ops-hook', 'audit']);
      assert.deepEqual(
        await enqueueNotification(store, DEPLOY_COMPLETED, channels),
        [],
        'a second server adds none',
      );
      const rows = await rawQuery(
        location,
        'SELECT idempotency_key, payload FROM notification_deliveries ORDER BY id',
      );
      assert.deepEqual(
        rows.map((row) => row.idempotency_key),
        [idempotencyKeyOf(DEPLOY_COMPLETED.id, 'ops-hook'), idempotencyKeyOf(DEPLOY_COMPLETED.id, 'audit')],
      );
      const raw = rows[0]?.payload; // text on SQLite, parsed jsonb through a raw pg client
      const payload = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Notification;
      assert.deepEqual(payload, DEPLOY_COMPLETED);
    });

    test('a 500 is retried with the same key, then recorded delivered', async () => {
      const receiver = await startHttpReceiver(() => ({ status: 202 }));
      try {
        const { store } = await backend.fresh(wallClock);
        await enqueueNotification(store, DEPLOY_COMPLETED, SUBSCRIBED);
        receiver.respondNext({ status: 500, body: 'boom' });
        const logger = collectingLogger();
        const w = worker(store, webhook(receiver.origin), 'w1', logger);
        assert.equal(await w.runOnce(), 1);
        const [retrying] = await store.listNotificationDeliveries();
        assert.equal(retrying?.status, 'pending');
        assert.match(retrying?.lastError ?? '', /SERVER_ERROR: .*HTTP 500/);
        await until(
          () => w.runOnce(),
          async () => (await store.listNotificationDeliveries({ status: 'delivered' })).length === 1,
        );
        const [delivered] = await store.listNotificationDeliveries();
        assert.equal(delivered?.attempts, 2);
        assert.ok(delivered?.deliveredAt);
        const key = idempotencyKeyOf(DEPLOY_COMPLETED.id, 'ops-hook');
        assert.deepEqual(
          receiver.requests.map((r) => [r.status, keyOf(r.body)]),
          [
            [500, key],
            [202, key],
          ],
        );
        assert.equal(await w.runOnce(), 0, 'nothing left to send');
        assert.match(logger.lines.join('\n'), /attempt 1 failed .*HTTP 500.*next in 10 ms/);
      } finally {
        await receiver.close();
      }
    });

    test('a 400 fails for good after one attempt, its error and logs free of secrets', async () => {
      // A receiver quoting the request back, secrets and all.
      const receiver = await startHttpReceiver((request) => ({
        status: 400,
        body: `unknown hook ${request.path} for ${String(request.headers.authorization)}`,
      }));
      try {
        const { store, location } = await backend.fresh(wallClock);
        await enqueueNotification(store, DEPLOY_COMPLETED, SUBSCRIBED);
        const logger = collectingLogger();
        const w = worker(store, webhook(receiver.origin), 'w1', logger);
        assert.equal(await w.runOnce(), 1);
        assert.equal(await w.runOnce(), 0);
        const [failed] = await store.listNotificationDeliveries({ status: 'failed' });
        assert.equal(failed?.attempts, 1);
        assert.match(failed?.lastError ?? '', /^REJECTED: .*HTTP 400.*\[redacted\]/);
        assert.equal(receiver.requests.length, 1);
        const stored = JSON.stringify(await rawQuery(location, 'SELECT * FROM notification_deliveries'));
        for (const text of [stored, logger.lines.join('\n'), failed?.lastError ?? '']) {
          assert.ok(!text.includes(TOKEN), 'no token');
          assert.ok(!text.includes(QUERY_KEY), 'no URL secret');
          assert.ok(!text.includes('/hooks/slipway'), 'no URL path');
        }
        assert.match(logger.lines.join('\n'), /failed for good: REJECTED/);
      } finally {
        await receiver.close();
      }
    });

    test('two workers on one store never send one delivery at once, nor twice', async () => {
      const overlaps: string[] = [];
      const received = new Map<string, number>();
      const sending = new Set<string>();
      const server: Server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const key = keyOf(Buffer.concat(chunks));
          if (sending.has(key)) overlaps.push(key);
          sending.add(key);
          received.set(key, (received.get(key) ?? 0) + 1);
          setTimeout(() => {
            sending.delete(key);
            res.writeHead(200).end();
          }, 10);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { store, location } = await backend.fresh(wallClock);
      const second = await openAt(location, wallClock);
      const stop = new AbortController();
      try {
        const total = 40;
        for (let i = 0; i < total; i++)
          await enqueueNotification(store, { ...DEPLOY_COMPLETED, id: `evt-${i}` }, SUBSCRIBED);
        const sent = { a: 0, b: 0 };
        const counting = (who: 'a' | 'b'): NotificationChannel => {
          const inner = webhook(origin);
          return {
            kind: 'webhook',
            send: (n, key, signal) => {
              sent[who]++;
              return inner.send(n, key, signal);
            },
          };
        };
        const runs = [
          worker(store, counting('a'), 'worker-a').run(stop.signal),
          worker(second, counting('b'), 'worker-b').run(stop.signal),
        ];
        await until(
          () => sleep(20),
          async () => (await store.listNotificationDeliveries({ status: 'delivered' })).length === total,
        );
        stop.abort();
        await Promise.all(runs);
        assert.deepEqual(overlaps, []);
        assert.equal(received.size, total);
        assert.deepEqual(
          [...received.values()].filter((n) => n !== 1),
          [],
          'each key received once',
        );
        assert.equal(sent.a + sent.b, total);
        assert.ok(sent.a > 0 && sent.b > 0, `both workers sent (${sent.a}, ${sent.b})`);
      } finally {
        stop.abort();
        await second.close();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    test('a worker that dies mid-send leaves a lease that runs out, and another worker finishes', async () => {
      const receiver = await startHttpReceiver(() => ({ status: 204 }));
      try {
        const { store } = await backend.fresh(wallClock);
        await enqueueNotification(store, DEPLOY_COMPLETED, SUBSCRIBED);
        // The dead worker claimed the delivery and its send never came back (as if it was killed).
        const hung: NotificationChannel = { kind: 'webhook', send: () => new Promise(() => {}) };
        void worker(store, hung, 'dead-worker').runOnce();
        await until(
          () => sleep(10),
          async () => (await store.listNotificationDeliveries({ status: 'sending' })).length === 1,
        );
        const [held] = await store.listNotificationDeliveries();
        assert.equal(held?.leaseOwner, 'dead-worker');
        const heir = worker(store, webhook(receiver.origin), 'heir');
        assert.equal(await heir.runOnce(), 0, 'not while the lease holds');
        await until(
          () => heir.runOnce(),
          async () => (await store.listNotificationDeliveries({ status: 'delivered' })).length === 1,
          1_000,
        );
        assert.ok(
          Date.now() >= (held?.leaseExpiresAt ?? Number.POSITIVE_INFINITY),
          'only after the lease ran out',
        );
        const [done] = await store.listNotificationDeliveries();
        assert.equal(done?.attempts, 2);
        assert.equal(done?.leaseOwner, null);
        assert.equal(receiver.requests.length, 1);
        assert.equal(keyOf(receiver.requests[0]!.body), idempotencyKeyOf(DEPLOY_COMPLETED.id, 'ops-hook'));
      } finally {
        await receiver.close();
      }
    });
  });
}
