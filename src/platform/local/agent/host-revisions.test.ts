import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { PlatformError } from '../../errors.js';
import { findHostRevision, pinHostRevision, placeHostRevision } from './host-revisions.js';

describe('host revisions (placed by the agent of a host reached over SSH)', () => {
  let dir: string;
  let stateDir: string;

  /** A shipped tree for revision `id`, made at `createdAt`; complete unless told. */
  const ship = (id: string, createdAt: string, complete = true): string => {
    const digest = id.slice(2).padEnd(64, '0');
    const tree = join(dir, 'revisions', digest);
    mkdirSync(join(tree, 'source'), { recursive: true });
    writeFileSync(join(tree, 'manifest.json'), JSON.stringify({ id, service: 'web', createdAt, config: {} }));
    if (complete) writeFileSync(join(tree, '.complete'), `${digest}\n`);
    return digest;
  };
  const ids = (n: number) => `r-${String(n).padStart(12, '0')}`;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-host-revisions-'));
    stateDir = join(dir, 'state');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a placed revision points at its shipped tree and is found with its manifest', () => {
    const digest = ship(ids(1), '2030-01-01T00:00:01.000Z');
    const placed = placeHostRevision(stateDir, { service: 'web', id: ids(1), digest, inUse: [], keep: 10 });
    assert.deepEqual(placed, { removed: [] });
    assert.equal(readlinkSync(join(stateDir, 'revisions', 'web', ids(1))), join(dir, 'revisions', digest));
    assert.equal(findHostRevision(stateDir, 'web', ids(1))?.manifest.id, ids(1));
    // Placed again, it is found as it is and nothing else happens.
    const again = placeHostRevision(stateDir, { service: 'web', id: ids(1), digest, inUse: [], keep: 10 });
    assert.ok('found' in again && again.found.manifest.id === ids(1));
    assert.equal(findHostRevision(stateDir, 'web', ids(2)), undefined);
  });

  test('placing keeps the newest revisions and never one in use or pinned', () => {
    for (let n = 1; n <= 5; n++) {
      const digest = ship(ids(n), `2030-01-01T00:00:0${n}.000Z`);
      if (n === 2) assert.equal(pinHostRevision(stateDir, 'web', ids(1), 'audit'), true);
      const placed = placeHostRevision(stateDir, {
        service: 'web',
        id: ids(n),
        digest,
        inUse: n >= 3 ? [ids(2)] : [],
        keep: 2,
      });
      if (n === 5) assert.deepEqual(placed, { removed: [ids(3)] });
    }
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => findHostRevision(stateDir, 'web', ids(n)) !== undefined),
      [true, true, false, true, true],
    );
    assert.equal(findHostRevision(stateDir, 'web', ids(1))?.pinned, 'audit');
  });

  test('an incomplete tree is refused and nothing is pointed at it', () => {
    const digest = ship(ids(1), '2030-01-01T00:00:01.000Z', false);
    assert.throws(
      () => placeHostRevision(stateDir, { service: 'web', id: ids(1), digest, inUse: [], keep: 10 }),
      (error: unknown) => error instanceof PlatformError && error.code === 'REVISION_NOT_FOUND',
    );
    assert.equal(findHostRevision(stateDir, 'web', ids(1)), undefined);
  });

  test('names that could reach outside the state directory are refused', () => {
    const place = (service: string, id: string, digest: string) => () =>
      placeHostRevision(stateDir, { service, id, digest, inUse: [], keep: 10 });
    const bad = (error: unknown) => error instanceof PlatformError && error.code === 'BAD_REQUEST';
    assert.throws(place('..', ids(1), 'a'.repeat(64)), bad);
    assert.throws(place('web/x', ids(1), 'a'.repeat(64)), bad);
    assert.throws(place('web', '../r-000000000001', 'a'.repeat(64)), bad);
    assert.throws(place('web', ids(1), '../../etc'), bad);
    assert.throws(() => pinHostRevision(stateDir, 'web', 'r-1', 'x'), bad);
    assert.equal(pinHostRevision(stateDir, 'web', ids(9), 'x'), false, 'a revision the host lacks');
  });
});
