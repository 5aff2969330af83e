import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedMatrix } from '../../config/resolved.js';
import { MatrixError } from './errors.js';
import { expandMatrix, MAX_MATRIX_LEGS } from './expand-matrix.js';

function matrix(partial: Partial<ResolvedMatrix>): ResolvedMatrix {
  return { axes: {}, include: [], exclude: [], failFast: true, ...partial };
}

function values(m: ResolvedMatrix): Record<string, unknown>[] {
  return expandMatrix(m).map((leg) => ({ ...leg.values }));
}

describe('expandMatrix', () => {
  it('orders the cartesian product with the first axis varying slowest', () => {
    // GitHub docs: version [10, 12, 14] x os [ubuntu-latest, windows-latest].
    const legs = expandMatrix(
      matrix({ axes: { version: [10, 12, 14], os: ['ubuntu-latest', 'windows-latest'] } }),
    );
    assert.deepEqual(
      legs.map((leg) => leg.key),
      [
        'version=10, os=ubuntu-latest',
        'version=10, os=windows-latest',
        'version=12, os=ubuntu-latest',
        'version=12, os=windows-latest',
        'version=14, os=ubuntu-latest',
        'version=14, os=windows-latest',
      ],
    );
    assert.deepEqual(legs[0]?.values, { version: 10, os: 'ubuntu-latest' });
  });

  it('removes combinations matching every key of an exclude entry (GitHub exclude example)', () => {
    const legs = values(
      matrix({
        axes: {
          os: ['macos-latest', 'windows-latest'],
          version: [12, 14, 16],
          environment: ['staging', 'production'],
        },
        exclude: [
          { os: 'macos-latest', version: 12, environment: 'production' },
          { os: 'windows-latest', version: 16 },
        ],
      }),
    );
    assert.equal(legs.length, 9);
    assert.ok(
      !legs.some((l) => l.os === 'macos-latest' && l.version === 12 && l.environment === 'production'),
    );
    assert.ok(!legs.some((l) => l.os === 'windows-latest' && l.version === 16));
    assert.ok(legs.some((l) => l.os === 'macos-latest' && l.version === 12 && l.environment === 'staging'));
  });

  it('reproduces the fruit/animal include example', () => {
    const legs = values(
      matrix({
        axes: { fruit: ['apple', 'pear'], animal: ['cat', 'dog'] },
        include: [
          { color: 'green' },
          { color: 'pink', animal: 'cat' },
          { fruit: 'apple', shape: 'circle' },
          { fruit: 'banana' },
          { fruit: 'banana', animal: 'cat' },
        ],
      }),
    );
    assert.deepEqual(legs, [
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ]);
  });

  it('expands one configuration with an extra variable (os/node/npm example)', () => {
    const legs = expandMatrix(
      matrix({
        axes: { os: ['windows-latest', 'ubuntu-latest'], node: [14, 16] },
        include: [{ os: 'windows-latest', node: 16, npm: 6 }],
      }),
    );
    assert.deepEqual(
      legs.map((leg) => leg.key),
      [
        'os=windows-latest, node=14',
        'os=windows-latest, node=16, npm=6',
        'os=ubuntu-latest, node=14',
        'os=ubuntu-latest, node=16',
      ],
    );
  });

  it('adds an include entry matching no combination as its own leg (10-job example)', () => {
    const legs = values(
      matrix({
        axes: { os: ['macos-latest', 'windows-latest', 'ubuntu-latest'], version: [12, 14, 16] },
        include: [{ os: 'windows-latest', version: 17 }],
      }),
    );
    assert.equal(legs.length, 10);
    assert.deepEqual(legs.at(-1), { os: 'windows-latest', version: 17 });
  });

  it('keeps the fail-fast example: version 9 appended with experimental true', () => {
    const legs = values(
      matrix({
        axes: { version: [6, 7, 8], experimental: [false] },
        include: [{ version: 9, experimental: true }],
      }),
    );
    assert.deepEqual(legs, [
      { version: 6, experimental: false },
      { version: 7, experimental: false },
      { version: 8, experimental: false },
      { version: 9, experimental: true },
    ]);
  });

  it('never overwrites an original axis value, so a conflicting entry becomes a new leg', () => {
    const legs = values(
      matrix({ axes: { node: [18, 20] }, include: [{ node: 22, label: 'next' }, { label: 'x' }] }),
    );
    assert.deepEqual(legs, [
      { node: 18, label: 'x' },
      { node: 20, label: 'x' },
      { node: 22, label: 'next' },
    ]);
  });

  it('lets include add back a combination removed by exclude', () => {
    const legs = values(
      matrix({
        axes: { os: ['linux', 'mac'], node: [18, 20] },
        exclude: [{ os: 'mac', node: 18 }],
        include: [{ os: 'mac', node: 18 }],
      }),
    );
    assert.deepEqual(legs, [
      { os: 'linux', node: 18 },
      { os: 'linux', node: 20 },
      { os: 'mac', node: 20 },
      { os: 'mac', node: 18 },
    ]);
  });

  it('yields just the include entries when there are no axes (includes-only example)', () => {
    const legs = expandMatrix(
      matrix({
        include: [
          { site: 'production', datacenter: 'site-a' },
          { site: 'staging', datacenter: 'site-b' },
        ],
      }),
    );
    assert.deepEqual(
      legs.map((leg) => leg.key),
      ['site=production, datacenter=site-a', 'site=staging, datacenter=site-b'],
    );
  });

  it('allows exactly 256 legs and rejects 257 with MATRIX_TOO_LARGE', () => {
    const axis = (n: number) => Array.from({ length: n }, (_, i) => i);
    assert.equal(expandMatrix(matrix({ axes: { a: axis(16), b: axis(16) } })).length, MAX_MATRIX_LEGS);
    assert.throws(
      () => expandMatrix(matrix({ axes: { a: axis(16), b: axis(16) }, include: [{ a: 99 }] })),
      (error: unknown) => error instanceof MatrixError && error.code === 'MATRIX_TOO_LARGE',
    );
    assert.throws(
      () => expandMatrix(matrix({ axes: { a: axis(1000), b: axis(1000), c: axis(1000) } })),
      (error: unknown) => error instanceof MatrixError && error.code === 'MATRIX_TOO_LARGE',
    );
  });
});
