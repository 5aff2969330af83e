// Store contract suite, the notification outbox: queue, lease, outcome and list, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { NewNotificationDelivery } from '../../src/store/notification-deliveries.js';
import { createBackends, fakeClock, openAt, rawQuery } from './helpers/backends.js';
import { rejectsWith } from './helpers/contract.js';

/** A delivery of event `event` to channel `channel`. */
function delivery(event: string, channel = 'ops-hook', extra: Partial<NewNotificationDelivery> = {}) {
  return {
    idempotencyKey: `${event}/${channel}`,
    channel,
    trigger: 'deploy.completed',
    payload: { trigger: 'deploy.completed', id: event, title: `web deployed (${event})`, at: 1 },
    ...extra,
  };
}

const LEASE = 30_000;

for (const backend of createBackends()) {
  describe(`store contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    describe('notification deliveries', () => {
      test('enqueue queues one pending delivery per key; the same key again is a no-op', async () => {
        const clock = fakeClock(1_700_000_000_000);
        const { store, location } = await backend.fresh(clock);
        assert.equal(await store.enqueueNotificationDelivery(delivery('evt-1')), true);
        clock.advance(5);
        assert.equal(
          await store.enqueueNotificationDelivery(delivery('evt-1', 'ops-hook', { trigger: 'sync.failed' })),
          false,
        );
        assert.equal(await store.enqueueNotificationDelivery(delivery('evt-1', 'team-slack')), true);
        const [slack, hook] = await store.listNotificationDeliveries();
        assert.equal(slack?.idempotencyKey, 'evt-1/team-slack');
        assert.deepEqual(hook, {
          id: hook?.id,
          idempotencyKey: 'evt-1/ops-hook',
          channel: 'ops-hook',
          trigger: 'deploy.completed',
          payload: { trigger: 'deploy.completed', id: 'evt-1', title: 'web deployed (evt-1)', at: 1 },
          status: 'pending',
          attempts: 0,
          nextAttemptAt: 1_700_000_000_000,
          lastError: null,
          leaseOwner: null,
          leaseExpiresAt: null,
          createdAt: 1_700_000_000_000,
          updatedAt: 1_700_000_000_000,
          deliveredAt: null,
        });
        const rows = await rawQuery(location, 'SELECT idempotency_key FROM notification_deliveries');
        assert.equal(rows.length, 2);
      });

      test('enqueue rejects an empty key, channel or trigger and a payload that is not an object', async () => {
        const { store } = await backend.fresh(fakeClock(1));
        await rejectsWith(
          store.enqueueNotificationDelivery({ ...delivery('e'), idempotencyKey: ' ' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.enqueueNotificationDelivery({ ...delivery('e'), channel: '' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.enqueueNotificationDelivery({ ...delivery('e'), trigger: '' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.enqueueNotificationDelivery({ ...delivery('e'), payload: [] as never }),
          'INVALID_INPUT',
        );
        assert.deepEqual(await store.listNotificationDeliveries(), []);
      });

      test('a duplicate enqueue inside a transaction keeps the transaction usable; a rollback queues nothing', async () => {
        const { store } = await backend.fresh(fakeClock(1));
        await store.transaction(async (tx) => {
          assert.equal(await tx.enqueueNotificationDelivery(delivery('evt-1')), true);
          assert.equal(await tx.enqueueNotificationDelivery(delivery('evt-1')), false);
          assert.equal(await tx.enqueueNotificationDelivery(delivery('evt-2')), true);
        });
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.enqueueNotificationDelivery(delivery('evt-3'));
            throw new Error('abandon');
          }),
          /abandon/,
        );
        assert.deepEqual(
          (await store.listNotificationDeliveries()).map((d) => d.idempotencyKey),
          ['evt-2/ops-hook', 'evt-1/ops-hook'],
        );
      });

      test('claim leases due deliveries oldest first, up to the limit, for the given channels', async () => {
        const clock = fakeClock(10_000);
        const { store } = await backend.fresh(clock);
        await store.enqueueNotificationDelivery(delivery('later', 'ops-hook', { nextAttemptAt: 20_000 }));
        await store.enqueueNotificationDelivery(delivery('b', 'ops-hook', { nextAttemptAt: 9_000 }));
        await store.enqueueNotificationDelivery(delivery('a', 'ops-hook', { nextAttemptAt: 8_000 }));
        await store.enqueueNotificationDelivery(delivery('c', 'team-slack'));
        await store.enqueueNotificationDelivery(delivery('d', 'ops-hook'));

        const first = await store.claimNotificationDeliveries({
          owner: 'w1',
          limit: 2,
          leaseMs: LEASE,
          channels: ['ops-hook'],
        });
        assert.deepEqual(
          first.map((d) => [d.idempotencyKey, d.status, d.attempts, d.leaseOwner, d.leaseExpiresAt]),
          [
            ['a/ops-hook', 'sending', 1, 'w1', 10_000 + LEASE],
            ['b/ops-hook', 'sending', 1, 'w1', 10_000 + LEASE],
          ],
        );
        const rest = await store.claimNotificationDeliveries({ owner: 'w2', limit: 10, leaseMs: LEASE });
        assert.deepEqual(
          rest.map((d) => d.idempotencyKey),
          ['c/team-slack', 'd/ops-hook'],
          'not the leased ones, not the one due later',
        );
        assert.deepEqual(
          await store.claimNotificationDeliveries({ owner: 'w3', limit: 10, leaseMs: LEASE }),
          [],
        );
        assert.deepEqual(
          await store.claimNotificationDeliveries({ owner: 'w3', limit: 10, leaseMs: LEASE, channels: [] }),
          [],
        );
        clock.set(20_000);
        assert.deepEqual(
          (await store.claimNotificationDeliveries({ owner: 'w3', limit: 10, leaseMs: LEASE })).map(
            (d) => d.idempotencyKey,
          ),
          ['later/ops-hook'],
        );
        await rejectsWith(
          store.claimNotificationDeliveries({ owner: 'w3', limit: 0, leaseMs: LEASE }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.claimNotificationDeliveries({ owner: '', limit: 1, leaseMs: LEASE }),
          'INVALID_INPUT',
        );
      });

      test('a lease that runs out without an outcome is taken over; the old holder can no longer settle it', async () => {
        const clock = fakeClock(1_000);
        const { store } = await backend.fresh(clock);
        await store.enqueueNotificationDelivery(delivery('evt-1'));
        const [held] = await store.claimNotificationDeliveries({ owner: 'killed', limit: 5, leaseMs: LEASE });
        assert.ok(held);
        clock.advance(LEASE - 1);
        assert.deepEqual(
          await store.claimNotificationDeliveries({ owner: 'w2', limit: 5, leaseMs: LEASE }),
          [],
        );
        clock.advance(1);
        const [taken] = await store.claimNotificationDeliveries({ owner: 'w2', limit: 5, leaseMs: LEASE });
        assert.equal(taken?.id, held.id);
        assert.equal(taken?.attempts, 2, 'the lost attempt counts');
        assert.equal(taken?.leaseOwner, 'w2');
        assert.equal(
          await store.retryNotificationDelivery(held.id, 'killed', { delayMs: 0, error: 'late' }),
          false,
        );
        assert.equal(await store.failNotificationDelivery(held.id, 'killed', 'late'), false);
        const [now] = await store.listNotificationDeliveries();
        assert.equal(now?.leaseOwner, 'w2');
        assert.equal(now?.status, 'sending');
      });

      test('retry puts the delivery back to pending with its error, due after the delay', async () => {
        const clock = fakeClock(5_000);
        const { store } = await backend.fresh(clock);
        await store.enqueueNotificationDelivery(delivery('evt-1'));
        const [held] = await store.claimNotificationDeliveries({ owner: 'w1', limit: 1, leaseMs: LEASE });
        assert.ok(held);
        clock.advance(10);
        assert.equal(
          await store.retryNotificationDelivery(held.id, 'w1', {
            delayMs: 2_000,
            error: 'the webhook failed (HTTP 500)',
          }),
          true,
        );
        const [pending] = await store.listNotificationDeliveries({ status: 'pending' });
        assert.equal(pending?.nextAttemptAt, 7_010);
        assert.equal(pending?.lastError, 'the webhook failed (HTTP 500)');
        assert.equal(pending?.attempts, 1);
        assert.equal(pending?.leaseOwner, null);
        assert.equal(pending?.leaseExpiresAt, null);
        assert.equal(pending?.updatedAt, 5_010);
        clock.advance(1_999);
        assert.deepEqual(
          await store.claimNotificationDeliveries({ owner: 'w1', limit: 1, leaseMs: LEASE }),
          [],
        );
        clock.advance(1);
        const [again] = await store.claimNotificationDeliveries({ owner: 'w1', limit: 1, leaseMs: LEASE });
        assert.equal(again?.attempts, 2);
        assert.equal(
          again?.lastError,
          'the webhook failed (HTTP 500)',
          'the last error stays until an outcome',
        );
        await rejectsWith(
          store.retryNotificationDelivery(held.id, 'w1', { delayMs: -1, error: 'x' }),
          'INVALID_INPUT',
        );
      });

      test('fail ends a delivery for good; delivered is recorded once, whoever holds the lease', async () => {
        const clock = fakeClock(1_000);
        const { store } = await backend.fresh(clock);
        await store.enqueueNotificationDelivery(delivery('bad'));
        await store.enqueueNotificationDelivery(delivery('good'));
        const held = await store.claimNotificationDeliveries({ owner: 'w1', limit: 2, leaseMs: LEASE });
        const bad = held.find((d) => d.idempotencyKey === 'bad/ops-hook')!;
        const good = held.find((d) => d.idempotencyKey === 'good/ops-hook')!;
        assert.equal(await store.failNotificationDelivery(bad.id, 'w2', 'not mine'), false);
        assert.equal(await store.failNotificationDelivery(bad.id, 'w1', 'refused (HTTP 400)'), true);
        clock.advance(LEASE * 10);
        // The lease on `good` ran out and w2 took it over, but w1's 2xx still counts.
        const [taken] = await store.claimNotificationDeliveries({ owner: 'w2', limit: 5, leaseMs: LEASE });
        assert.equal(taken?.id, good.id, 'a failed delivery is never claimed again');
        assert.equal(await store.markNotificationDelivered(good.id), true);
        assert.equal(await store.markNotificationDelivered(good.id), false);
        assert.equal(await store.markNotificationDelivered(99_999), false);
        assert.equal(await store.retryNotificationDelivery(good.id, 'w2', { delayMs: 0, error: 'x' }), false);
        const byKey = new Map((await store.listNotificationDeliveries()).map((d) => [d.idempotencyKey, d]));
        assert.equal(byKey.get('bad/ops-hook')?.status, 'failed');
        assert.equal(byKey.get('bad/ops-hook')?.lastError, 'refused (HTTP 400)');
        assert.equal(byKey.get('good/ops-hook')?.status, 'delivered');
        assert.equal(byKey.get('good/ops-hook')?.deliveredAt, 1_000 + LEASE * 10);
        assert.equal(byKey.get('good/ops-hook')?.leaseOwner, null);
        assert.deepEqual(await store.claimNotificationDeliveries({ owner: 'w3', limit: 5, leaseMs: 0 }), []);
      });

      test('list filters by status, newest first, with a limit', async () => {
        const { store } = await backend.fresh(fakeClock(1));
        for (const event of ['e1', 'e2', 'e3', 'e4'])
          await store.enqueueNotificationDelivery(delivery(event));
        const [first] = await store.claimNotificationDeliveries({ owner: 'w', limit: 1, leaseMs: LEASE });
        await store.failNotificationDelivery(first!.id, 'w', 'gone');
        const keys = async (filter: Parameters<typeof store.listNotificationDeliveries>[0]) =>
          (await store.listNotificationDeliveries(filter)).map((d) => d.idempotencyKey);
        assert.deepEqual(await keys({}), ['e4/ops-hook', 'e3/ops-hook', 'e2/ops-hook', 'e1/ops-hook']);
        assert.deepEqual(await keys({ status: 'failed' }), ['e1/ops-hook']);
        assert.deepEqual(await keys({ status: ['pending', 'failed'], limit: 2 }), [
          'e4/ops-hook',
          'e3/ops-hook',
        ]);
        assert.deepEqual(await keys({ status: [] }), []);
        await rejectsWith(store.listNotificationDeliveries({ limit: 0 }), 'INVALID_INPUT');
      });

      test('two connections claiming at once never lease one delivery to both', async () => {
        const { store, location } = await backend.fresh({ now: () => Date.now() });
        const other = await openAt(location, { now: () => Date.now() });
        try {
          const total = 60;
          for (let i = 0; i < total; i++) await store.enqueueNotificationDelivery(delivery(`evt-${i}`));
          const drain = async (s: typeof store, owner: string) => {
            const ids: number[] = [];
            for (let round = 0; round < 200; round++) {
              const claimed = await s.claimNotificationDeliveries({ owner, limit: 3, leaseMs: 60_000 });
              if (claimed.length === 0 && round > 5) break;
              ids.push(...claimed.map((d) => d.id));
            }
            return ids;
          };
          const [a, b, c] = await Promise.all([drain(store, 'a'), drain(other, 'b'), drain(store, 'c')]);
          const all = [...a, ...b, ...c];
          assert.equal(new Set(all).size, all.length, 'no delivery claimed twice');
          assert.equal(all.length, total);
          assert.ok(b.length > 0, 'the second connection took part');
        } finally {
          await other.close();
        }
      });
    });
  });
}
