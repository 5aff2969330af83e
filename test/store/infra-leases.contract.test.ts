// Store contract suite, infrastructure leases: written once, run unchanged against SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createBackends, fakeClock } from './helpers/backends.js';

for (const backend of createBackends()) {
  describe(`store contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    describe('infrastructure leases', () => {
      test('a free lease is taken; a second owner is told who holds it, doing what, since when', async () => {
        const clock = fakeClock(1_000_000);
        const { store } = await backend.fresh(clock);
        const first = await store.claimInfraLease('shop/production', 'a:1:1', 'apply', 0);
        assert.equal(first.acquired, true);
        clock.advance(10);
        const second = await store.claimInfraLease('shop/production', 'b:2:2', 'plan', clock.now() - 5000);
        assert.equal(second.acquired, false);
        assert.ok(!second.acquired);
        assert.equal(second.holder.owner, 'a:1:1');
        assert.equal(second.holder.operation, 'apply');
        assert.equal(second.holder.acquiredAt, 1_000_000);
        // Another environment is its own lease.
        assert.equal((await store.claimInfraLease('shop/staging', 'b:2:2', 'plan', 0)).acquired, true);
      });

      test('the holder renews and releases; a released or stale lease goes to the next owner', async () => {
        const clock = fakeClock(2_000_000);
        const { store } = await backend.fresh(clock);
        assert.equal((await store.claimInfraLease('p/e', 'a', 'plan', 0)).acquired, true);
        clock.advance(4000);
        assert.equal(await store.renewInfraLease('p/e', 'a'), true);
        assert.equal(await store.renewInfraLease('p/e', 'b'), false);
        clock.advance(4000);
        // Renewed 4 s ago: not stale at a 5 s limit.
        assert.equal((await store.claimInfraLease('p/e', 'b', 'apply', clock.now() - 5000)).acquired, false);
        clock.advance(2000);
        const taken = await store.claimInfraLease('p/e', 'b', 'apply', clock.now() - 5000);
        assert.equal(taken.acquired, true);
        assert.equal(taken.acquired && taken.lease.operation, 'apply');
        // The old holder's release does not free the new holder's lease.
        await store.releaseInfraLease('p/e', 'a');
        assert.equal((await store.claimInfraLease('p/e', 'c', 'plan', 0)).acquired, false);
        await store.releaseInfraLease('p/e', 'b');
        assert.equal((await store.claimInfraLease('p/e', 'c', 'plan', 0)).acquired, true);
      });

      test('of owners racing for one free lease, exactly one gets it', async () => {
        const { store } = await backend.fresh(fakeClock(3_000_000));
        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.claimInfraLease('p/race', `o${i}`, 'apply', 0)),
        );
        assert.equal(claims.filter((c) => c.acquired).length, 1);
      });
    });
  });
}
