// Table tests of OSV's evaluation algorithm: each row is an advisory's ranges and versions, a version,
// and whether it is affected (with the fix the match reports).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareSemver, ecosystemCovers, isAffected, matchAdvisory, versionOrderOf } from './affected.js';
import type { OsvAdvisory, OsvAffected, OsvEvent, OsvRange } from './osv-advisory.js';

const advisoryOf = (affected: OsvAffected[], extra: Partial<OsvAdvisory> = {}): OsvAdvisory => ({
  id: 'GHSA-test-test-test',
  modified: '2024-01-01T00:00:00Z',
  affected,
  ...extra,
});
const npm = (ranges: OsvRange[], versions?: string[]): OsvAffected => ({
  package: { ecosystem: 'npm', name: 'left-pad' },
  ranges,
  ...(versions === undefined ? {} : { versions }),
});
const semverRange = (...events: OsvEvent[]): OsvRange => ({ type: 'SEMVER', events });

interface Row {
  readonly name: string;
  readonly affected: OsvAffected;
  readonly cases: Readonly<Record<string, boolean | string>>;
}

// A string value means "affected, and fixed in that version".
const ROWS: readonly Row[] = [
  {
    name: 'introduced 0, no fix: every version',
    affected: npm([semverRange({ introduced: '0' })]),
    cases: { '0.0.0': true, '1.0.0-alpha': true, '99.0.0': true },
  },
  {
    name: 'introduced 0, fixed 1.0.2: fixed is exclusive',
    affected: npm([semverRange({ introduced: '0' }, { fixed: '1.0.2' })]),
    cases: { '0.1.0': '1.0.2', '1.0.1': '1.0.2', '1.0.2': false, '1.0.3': false, '1.0.2-rc.1': '1.0.2' },
  },
  {
    name: 'introduced is inclusive; prereleases of the introduced version come before it',
    affected: npm([semverRange({ introduced: '2.0.0' }, { fixed: '2.3.0' })]),
    cases: {
      '1.9.9': false,
      '2.0.0-beta.1': false,
      '2.0.0': '2.3.0',
      '2.2.9': '2.3.0',
      '2.3.0-rc.1': '2.3.0',
      '2.3.0': false,
      '2.0.0+build.5': '2.3.0',
    },
  },
  {
    name: 'two intervals in one range (multiple range example)',
    affected: npm([
      semverRange({ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' }),
    ]),
    cases: {
      '0.9.0': false,
      '1.0.1': '1.0.2',
      '1.0.2': false,
      '2.9.9': false,
      '3.0.0': '3.2.5',
      '3.2.5': false,
    },
  },
  {
    name: 'unsorted events are sorted first',
    affected: npm([
      semverRange({ fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '1.0.0' }),
    ]),
    cases: { '1.0.1': '1.0.2', '2.0.0': false, '3.1.0': '3.2.5', '4.0.0': false },
  },
  {
    name: 'several ranges: any one is enough, the fix of the matching one is reported',
    affected: npm([
      semverRange({ introduced: '1.0.0' }, { fixed: '1.4.1' }),
      semverRange({ introduced: '2.0.0' }, { fixed: '2.1.3' }),
    ]),
    cases: { '1.2.0': '1.4.1', '1.5.0': false, '2.1.0': '2.1.3', '2.1.3': false },
  },
  {
    name: 'last_affected is inclusive',
    affected: npm([semverRange({ introduced: '0' }, { last_affected: '2.1.214' })]),
    cases: { '2.1.213': true, '2.1.214': true, '2.1.215': false, '2.1.215-alpha': false },
  },
  {
    name: 'limit is an exclusive ceiling on the range',
    affected: npm([semverRange({ introduced: '1.0.0' }, { limit: '1.5.0' })]),
    cases: { '0.9.0': false, '1.0.0': true, '1.4.9': true, '1.5.0': false, '2.0.0': false },
  },
  {
    name: 'limit "*" is infinity; several limits widen the range',
    affected: npm([
      semverRange({ introduced: '1.0.0' }, { limit: '*' }),
      semverRange({ introduced: '5.0.0' }, { limit: '5.1.0' }, { limit: '6.0.0' }),
    ]),
    cases: { '0.5.0': false, '9.9.9': true },
  },
  {
    name: 'introduced and fixed at the same version: an empty range',
    affected: npm([semverRange({ introduced: '1.0.0' }, { fixed: '1.0.0' })]),
    cases: { '0.9.0': false, '1.0.0': false, '1.1.0': false },
  },
  {
    name: 'the versions list counts on its own, matched exactly',
    affected: npm([semverRange({ introduced: '1.0.0' }, { fixed: '1.1.0' })], ['0.5.0', 'v0.6.0']),
    cases: { '0.5.0': true, '0.6.0': false, 'v0.6.0': true, '1.0.5': '1.1.0', '0.4.0': false },
  },
  {
    name: 'a version that is no semver matches only the versions list',
    affected: npm([semverRange({ introduced: '0' })], ['latest-build', '1.0']),
    cases: { 'latest-build': true, '1.0': true, '1.0.0.0': false, 'not-a-version': false, '': false },
  },
  {
    name: 'ECOSYSTEM ranges of npm compare as semver',
    affected: npm([{ type: 'ECOSYSTEM', events: [{ introduced: '4.0.0' }, { fixed: '4.17.21' }] }]),
    cases: { '4.17.20': '4.17.21', '4.17.21': false, '3.10.1': false },
  },
  {
    name: 'a range with an event that is no semver says nothing',
    affected: npm([semverRange({ introduced: '0' }, { fixed: 'next' })]),
    cases: { '1.0.0': false },
  },
  {
    name: 'GIT ranges cannot be evaluated without the repository: only versions count',
    affected: {
      package: { ecosystem: 'npm', name: 'left-pad' },
      ranges: [{ type: 'GIT', repo: 'https://example.test/r.git', events: [{ introduced: '0' }] }],
      versions: ['1.3.0'],
    },
    cases: { '1.3.0': true, '1.2.0': false },
  },
];

describe('isAffected follows the OSV evaluation algorithm', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const advisory = advisoryOf([row.affected]);
      const got = Object.fromEntries(
        Object.keys(row.cases).map((version) => {
          const match = matchAdvisory(advisory, 'npm', 'left-pad', version);
          return [version, match === undefined ? false : (match.fixed ?? true)];
        }),
      );
      assert.deepEqual(got, row.cases);
      for (const [version, expected] of Object.entries(row.cases)) {
        assert.equal(isAffected(advisory, 'npm', 'left-pad', version), expected !== false, version);
      }
    });
  }
});

describe('which packages an advisory is about', () => {
  const advisory = advisoryOf([
    { package: { ecosystem: 'npm', name: 'a' }, ranges: [semverRange({ introduced: '0' })] },
    {
      package: { ecosystem: 'Debian:12', name: 'openssl' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }],
    },
  ]);

  test('the name and the ecosystem must match', () => {
    assert.equal(isAffected(advisory, 'npm', 'a', '1.0.0'), true);
    assert.equal(isAffected(advisory, 'npm', 'A', '1.0.0'), false);
    assert.equal(isAffected(advisory, 'PyPI', 'a', '1.0.0'), false);
  });

  test('Debian ECOSYSTEM ranges use Debian ordering, and the release must match', () => {
    assert.equal(
      matchAdvisory(advisory, 'Debian:12', 'openssl', '3.0.11-1~deb12u2')?.fixed,
      '3.0.13-1~deb12u1',
    );
    assert.equal(isAffected(advisory, 'Debian:12', 'openssl', '3.0.13-1~deb12u1'), false);
    assert.equal(isAffected(advisory, 'Debian:12', 'openssl', '3.0.13-1'), false);
    assert.equal(isAffected(advisory, 'Debian:11', 'openssl', '1.1.1n-0+deb11u1'), false);
  });

  test('a withdrawn advisory covers nothing', () => {
    const withdrawn = advisoryOf(advisory.affected as OsvAffected[], { withdrawn: '2024-02-01T00:00:00Z' });
    assert.equal(isAffected(withdrawn, 'npm', 'a', '1.0.0'), false);
  });

  test('an advisory without affected entries covers nothing', () => {
    assert.equal(isAffected(advisoryOf([]), 'npm', 'a', '1.0.0'), false);
  });

  test('ecosystems and version orders', () => {
    assert.equal(ecosystemCovers('Debian', 'Debian:12'), true);
    assert.equal(ecosystemCovers('Debian:12', 'Debian:11'), false);
    assert.equal(ecosystemCovers('Debian:12', 'Debian'), false);
    assert.equal(versionOrderOf('ECOSYSTEM', 'PyPI'), undefined);
    assert.equal(versionOrderOf('GIT', 'npm'), undefined);
    assert.equal(versionOrderOf('SEMVER', 'Go'), compareSemver);
    assert.equal(compareSemver('1.0.0-alpha', '1.0.0-alpha.1'), -1);
    assert.equal(compareSemver('1.0.0+a', '1.0.0+b'), 0);
    assert.equal(compareSemver('1.0', '1.0.0'), undefined);
  });
});
