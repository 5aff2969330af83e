// Debian version ordering: hand cases from Debian Policy 5.6.12, then a table checked against the real
// `dpkg --compare-versions` where dpkg is installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { compareDebianVersions, parseDebianVersion } from './debian-version.js';

// Each pair is [lower, higher].
const ORDERED: ReadonlyArray<readonly [string, string]> = [
  ['1.0', '1.1'],
  ['1.0~rc1', '1.0'],
  ['1.0~~', '1.0~~a'],
  ['1.0~~a', '1.0~'],
  ['1.0~', '1.0'],
  ['1.0', '1.0a'],
  ['1.0a', '1.0+'],
  ['1.0', '1.0-1'],
  ['1.0-1', '1.0-2'],
  ['1.0-9', '1.0-10'],
  ['1.0-1', '1.0.1-1'],
  ['2.30-1', '2.30-1+b1'],
  ['9.9', '1:0.1'],
  ['1:2.0', '2:1.0'],
  ['3.0.11-1~deb12u2', '3.0.13-1~deb12u1'],
  ['3.0.13-1~deb12u1', '3.0.13-1'],
  ['1.2.3+dfsg-1', '1.2.3+dfsg1-1'],
  ['7.88.1-10+deb12u5', '7.88.1-10+deb12u12'],
  ['1.0.0', '1.0.0a'],
  ['a1', 'b1'].map((s) => `1${s}`) as [string, string],
  ['1.0-1~bpo1', '1.0-1'],
  ['0.9', '0.10'],
];
const EQUAL: ReadonlyArray<readonly [string, string]> = [
  ['1.0', '1.0'],
  ['0:1.0', '1.0'],
  ['1.0-0', '1.0'],
  ['1.01', '1.1'],
  ['1.0-00', '1.0-0'],
];

describe('compareDebianVersions', () => {
  test('orders per Debian Policy 5.6.12: epoch, upstream, revision, ~ before everything', () => {
    for (const [lower, higher] of ORDERED) {
      assert.equal(compareDebianVersions(lower, higher), -1, `${lower} < ${higher}`);
      assert.equal(compareDebianVersions(higher, lower), 1, `${higher} > ${lower}`);
    }
    for (const [a, b] of EQUAL) assert.equal(compareDebianVersions(a, b), 0, `${a} = ${b}`);
  });

  test('a string that is no Debian version compares to nothing', () => {
    for (const bad of ['', 'abc', 'x:1.0', '1.0-', '1 0', '1.0-a_b']) {
      assert.equal(compareDebianVersions(bad, '1.0'), undefined, bad);
    }
    assert.deepEqual(parseDebianVersion('2:1.2-3-4'), { epoch: 2, upstream: '1.2-3', revision: '4' });
  });

  const dpkg = spawnSync('dpkg', ['--version']);
  test('agrees with dpkg --compare-versions', { skip: dpkg.status !== 0 && 'dpkg is not installed' }, () => {
    const pairs = [...ORDERED, ...EQUAL].flatMap(([a, b]) => [
      [a, b],
      [b, a],
    ]);
    for (const [a, b] of pairs as Array<[string, string]>) {
      const lt = spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0;
      const eq = spawnSync('dpkg', ['--compare-versions', a, 'eq', b]).status === 0;
      const expected = lt ? -1 : eq ? 0 : 1;
      assert.equal(compareDebianVersions(a, b), expected, `${a} vs ${b}`);
    }
  });
});
