// FlagVersions contract suite: flag definitions versioned as `flag.changed` events, written once and
// run unchanged against SQLite and the real PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { FlagError, type FlagErrorCode } from '../../src/flags/errors.js';
import type { FlagDefinition, FlagDocument } from '../../src/flags/flag-document.js';
import { FlagVersions } from '../../src/flags/versions/flag-versions.js';
import { createBackends, fakeClock } from '../store/helpers/backends.js';

const on: FlagDefinition = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' };
const off: FlagDefinition = { ...on, defaultVariant: 'off' };
const split: FlagDefinition = {
  state: 'ENABLED',
  variants: { a: 'a', b: 'b' },
  defaultVariant: 'a',
  targeting: {
    fractional: [
      ['a', 50],
      ['b', 50],
    ],
  },
  metadata: { owner: 'web', weight: 1.5, public: true },
};
const cli = { actor: 'ada', source: 'cli' } as const;

const rejectsWith = (promise: Promise<unknown>, code: FlagErrorCode, message: RegExp) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof FlagError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });

/** What changed, as `flag@version change source`, oldest first. */
const summary = (versions: readonly { flag: string; version: number; change: string; source: string }[]) =>
  versions.map((v) => `${v.flag}@${v.version} ${v.change} ${v.source}`);

for (const backend of createBackends()) {
  describe(`flag versions contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    describe('history', () => {
      test('each flag numbers its versions from 1; the definition comes back as written', async () => {
        const clock = fakeClock(1_700_000_000_000);
        const { store } = await backend.fresh(clock);
        const versions = new FlagVersions(store);
        const first = await versions.record('banner', on, { ...cli, change: 'set' });
        clock.advance(1000);
        await versions.record('checkout', split, { actor: 'ci', change: 'declared', source: 'config' });
        clock.advance(1000);
        const third = await versions.record('banner', off, { ...cli, change: 'set' });
        assert.deepEqual(first, {
          flag: 'banner',
          version: 1,
          definition: on,
          actor: 'ada',
          time: 1_700_000_000_000,
          change: 'set',
          source: 'cli',
          eventId: first.eventId,
        });
        assert.equal(third.version, 2);
        assert.equal(third.time, 1_700_000_002_000);
        assert.deepEqual(summary(await versions.history()), [
          'banner@1 set cli',
          'checkout@1 declared config',
          'banner@2 set cli',
        ]);
        assert.deepEqual(summary(await versions.history('banner')), ['banner@1 set cli', 'banner@2 set cli']);
        assert.deepEqual((await versions.history('checkout'))[0]?.definition, split);
        assert.deepEqual(await versions.history('nope'), []);
        const ids = (await versions.history()).map((v) => v.eventId);
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => a - b),
        );
      });

      test('each change is a flag.changed event: subject, previous version and details kept', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        await versions.record('banner', on, { ...cli, change: 'set' });
        await versions.record('banner', off, {
          actor: 'bot',
          change: 'rollout',
          source: 'rollout',
          details: { percent: 5 },
        });
        await store.appendEvent({ type: 'service.deployed', actor: 'ci', service: 'web' });
        const events = await store.listEvents({ types: ['flag.changed'] });
        assert.deepEqual(
          events.map((e) => [e.type, e.subject, e.actor, e.data]),
          [
            [
              'flag.changed',
              'banner',
              'ada',
              { flag: 'banner', version: 1, definition: on, change: 'set', source: 'cli' },
            ],
            [
              'flag.changed',
              'banner',
              'bot',
              {
                flag: 'banner',
                version: 2,
                definition: off,
                change: 'rollout',
                source: 'rollout',
                previousVersion: 1,
                details: { percent: 5 },
              },
            ],
          ],
        );
        assert.equal((await versions.history()).length, 2);
      });

      test('at: the definition at a version, or FLAG_VERSION_UNKNOWN', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        await versions.record('banner', on, { ...cli, change: 'set' });
        await versions.record('banner', off, { ...cli, change: 'set' });
        assert.deepEqual((await versions.at('banner', 1)).definition, on);
        assert.deepEqual((await versions.at('banner', 2)).definition, off);
        await rejectsWith(versions.at('banner', 3), 'FLAG_VERSION_UNKNOWN', /flag 'banner' has no version 3/);
        await rejectsWith(versions.at('other', 1), 'FLAG_VERSION_UNKNOWN', /flag 'other' has no version 1/);
      });
    });

    describe('snapshot', () => {
      test('an empty log is version 0 with no flags, keeping the base', async () => {
        const { store } = await backend.fresh();
        const base = { $evaluators: { staff: { '==': [1, 1] } }, metadata: { flagSetId: 'shop' } };
        assert.deepEqual(await new FlagVersions(store).snapshot(base), {
          version: 0,
          document: { ...base, flags: {} },
        });
        assert.deepEqual(await new FlagVersions(store).snapshot(), { version: 0, document: { flags: {} } });
      });

      test('the latest definition of each flag not removed; the version is the id of the last change', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        await versions.record('banner', on, { ...cli, change: 'set' });
        await versions.record('checkout', split, { ...cli, change: 'set' });
        const changed = await versions.record('banner', off, { ...cli, change: 'set' });
        const first = await versions.snapshot({ metadata: { flagSetId: 'shop' } });
        assert.deepEqual(first, {
          version: changed.eventId,
          document: { metadata: { flagSetId: 'shop' }, flags: { banner: off, checkout: split } },
        });
        const removed = await versions.record('checkout', null, { ...cli, change: 'remove' });
        const second = await versions.snapshot();
        assert.deepEqual(second, { version: removed.eventId, document: { flags: { banner: off } } });
        assert.ok(second.version > first.version);
        assert.deepEqual([...(await versions.latest()).keys()].sort(), ['banner', 'checkout']);
        assert.equal((await versions.latest()).get('checkout')?.definition, null);
      });
    });

    describe('syncDeclared', () => {
      const declared = (flags: Record<string, FlagDefinition>): FlagDocument => ({ flags });

      test('records every declared flag once; the same file again records nothing', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        const recorded = await versions.syncDeclared(declared({ banner: on, checkout: split }), 'ci');
        assert.deepEqual(summary(recorded), ['banner@1 declared config', 'checkout@1 declared config']);
        assert.equal(recorded[0]?.actor, 'ci');
        assert.deepEqual(await versions.syncDeclared(declared({ checkout: split, banner: on }), 'ci'), []);
        assert.deepEqual(await versions.syncDeclared(declared({ banner: on, checkout: split }), 'ci'), []);
        assert.equal((await versions.history()).length, 2);
      });

      test('a declaration equal as JSON is the same (undefined keys, no prototype, key order)', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        await versions.syncDeclared(declared({ checkout: split }), 'ci');
        const parsedElsewhere = Object.assign(Object.create(null) as Record<string, unknown>, {
          metadata: { public: true, weight: 1.5, owner: 'web' },
          targeting: {
            fractional: [
              ['a', 50],
              ['b', 50],
            ],
          },
          defaultVariant: 'a',
          variants: { b: 'b', a: 'a' },
          state: 'ENABLED',
          description: undefined,
        }) as unknown as FlagDefinition;
        assert.deepEqual(await versions.syncDeclared(declared({ checkout: parsedElsewhere }), 'ci'), []);
      });

      test('records only the flags whose declaration changed', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        await versions.syncDeclared(declared({ banner: on, checkout: split }), 'ci');
        const recorded = await versions.syncDeclared(
          declared({ banner: off, checkout: split, fresh: on }),
          'ci',
        );
        assert.deepEqual(summary(recorded), ['banner@2 declared config', 'fresh@1 declared config']);
        assert.deepEqual(recorded[0]?.definition, off);
      });

      test('a change made by hand stays until the file changes that flag', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        await versions.syncDeclared(declared({ banner: on }), 'ci');
        await versions.record('banner', off, { ...cli, change: 'set' });
        assert.deepEqual(await versions.syncDeclared(declared({ banner: on }), 'ci'), []);
        assert.deepEqual((await versions.snapshot()).document.flags.banner, off);
        const recorded = await versions.syncDeclared(
          declared({ banner: { ...on, state: 'DISABLED' } }),
          'ci',
        );
        assert.deepEqual(summary(recorded), ['banner@3 declared config']);
      });

      test('a flag the file no longer declares is removed, once; declared again, it comes back', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        await versions.syncDeclared(declared({ banner: on, checkout: split }), 'ci');
        const removed = await versions.syncDeclared(declared({ checkout: split }), 'ci');
        assert.deepEqual(summary(removed), ['banner@2 undeclared config']);
        assert.equal(removed[0]?.definition, null);
        assert.deepEqual(await versions.syncDeclared(declared({ checkout: split }), 'ci'), []);
        assert.deepEqual(Object.keys((await versions.snapshot()).document.flags), ['checkout']);
        const back = await versions.syncDeclared(declared({ banner: on, checkout: split }), 'ci');
        assert.deepEqual(summary(back), ['banner@3 declared config']);
        assert.deepEqual((await versions.snapshot()).document.flags.banner, on);
      });

      test('a flag removed by hand and then dropped from the file is not removed again', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        await versions.syncDeclared(declared({ banner: on }), 'ci');
        await versions.record('banner', null, { ...cli, change: 'remove' });
        assert.deepEqual(await versions.syncDeclared(declared({}), 'ci'), []);
        assert.deepEqual(summary(await versions.history('banner')), [
          'banner@1 declared config',
          'banner@2 remove cli',
        ]);
      });

      test('a flag only ever set by hand is not the file to remove', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        await versions.record('experiment', on, { ...cli, change: 'set' });
        assert.deepEqual(await versions.syncDeclared(declared({ banner: on }), 'ci'), [
          ...(await versions.history('banner')),
        ]);
        assert.deepEqual(Object.keys((await versions.snapshot()).document.flags).sort(), [
          'banner',
          'experiment',
        ]);
      });
    });

    describe('rollback', () => {
      test('without --to: the version before the current one, recorded as a new version', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        await versions.record('banner', on, { ...cli, change: 'set' });
        await versions.record('banner', off, { ...cli, change: 'set' });
        const back = await versions.rollback('banner', undefined, { actor: 'oncall', source: 'api' });
        assert.deepEqual(
          {
            version: back.version,
            definition: back.definition,
            change: back.change,
            actor: back.actor,
            source: back.source,
          },
          { version: 3, definition: on, change: 'rollback', actor: 'oncall', source: 'api' },
        );
        const event = (await store.listEvents({ types: ['flag.changed'] })).at(-1);
        assert.deepEqual((event!.data as { details: unknown }).details, { to: 1, from: 2 });
        assert.deepEqual((await versions.snapshot()).document.flags.banner, on);
        // Again: back to what version 3 replaced, i.e. undoing the rollback.
        assert.deepEqual(
          (await versions.rollback('banner', undefined, { actor: 'oncall', source: 'api' })).definition,
          off,
        );
      });

      test('--to: any earlier version, a removal included; details kept', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        await versions.record('banner', on, { ...cli, change: 'set' });
        await versions.record('banner', null, { ...cli, change: 'remove' });
        await versions.record('banner', off, { ...cli, change: 'set' });
        const toFirst = await versions.rollback('banner', 1, {
          actor: 'ada',
          source: 'cli',
          details: { reason: 'incident' },
        });
        assert.deepEqual([toFirst.version, toFirst.definition], [4, on]);
        const event = (await store.listEvents({ types: ['flag.changed'] })).at(-1);
        assert.deepEqual((event!.data as { details: unknown }).details, {
          reason: 'incident',
          to: 1,
          from: 3,
        });
        const toRemoved = await versions.rollback('banner', 2, cli);
        assert.deepEqual([toRemoved.version, toRemoved.definition], [5, null]);
        assert.deepEqual((await versions.snapshot()).document.flags, {});
      });

      test('refuses an unknown flag, an unknown version, no earlier version, and the current one', async () => {
        const { store } = await backend.fresh();
        const versions = new FlagVersions(store);
        await rejectsWith(
          versions.rollback('banner', undefined, cli),
          'FLAG_UNKNOWN',
          /no flag 'banner' has been recorded/,
        );
        await versions.record('banner', on, { ...cli, change: 'set' });
        await rejectsWith(
          versions.rollback('banner', undefined, cli),
          'FLAG_VERSION_UNKNOWN',
          /has only version 1: there is no earlier one/,
        );
        await versions.record('banner', off, { ...cli, change: 'set' });
        await rejectsWith(
          versions.rollback('banner', 7, cli),
          'FLAG_VERSION_UNKNOWN',
          /has no version 7 \(versions 1 to 2\)/,
        );
        await rejectsWith(
          versions.rollback('banner', 2, cli),
          'FLAG_CHANGE_CONFLICT',
          /already at version 2/,
        );
        assert.equal((await versions.history('banner')).length, 2);
      });
    });
  });
}
