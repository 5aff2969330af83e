import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configVersions, diffSettings, previousSettings, type SettingsDeploy } from './config-versions.js';

const deploy = (
  revision: string,
  at: number,
  env: Record<string, string>,
  secrets: Record<string, string> = {},
): SettingsDeploy => ({ revision, at, actor: 'ana', settings: { env, secrets } });

describe('configuration versions', () => {
  test('the diff lists env keys added, removed and changed, and secrets by version, sorted by key', () => {
    const diff = diffSettings(
      { env: { A: '1', B: 'x', KEEP: 'k' }, secrets: { S: 'aaa', GONE: 'ccc' } },
      { env: { A: '2', C: 'new', KEEP: 'k' }, secrets: { S: 'bbb', NEW: 'ddd' } },
    );
    assert.deepEqual(diff, {
      env: [
        { key: 'A', from: '1', to: '2' },
        { key: 'B', from: 'x' },
        { key: 'C', to: 'new' },
      ],
      secrets: [
        { key: 'GONE', from: 'ccc' },
        { key: 'NEW', to: 'ddd' },
        { key: 'S', from: 'aaa', to: 'bbb' },
      ],
    });
  });

  test('a code-only deploy starts no version; versions are newest first with the diff to the one before', () => {
    const versions = configVersions([
      deploy('r-4', 40, { A: '1' }, { S: 'v2' }),
      deploy('r-3', 30, { A: '2' }, { S: 'v2' }),
      deploy('r-2', 20, { A: '1' }, { S: 'v1' }),
      deploy('r-1', 10, { A: '1' }, { S: 'v1' }),
    ]);
    assert.deepEqual(
      versions.map((v) => [v.revision, v.deployedAt]),
      [
        ['r-4', 40],
        ['r-3', 30],
        ['r-1', 10],
      ],
    );
    assert.deepEqual(versions[1]?.diff, {
      env: [{ key: 'A', from: '1', to: '2' }],
      secrets: [{ key: 'S', from: 'v1', to: 'v2' }],
    });
    assert.equal(versions[2]?.diff, undefined, 'the first version has nothing to compare with');
  });

  test('deploys whose settings are unknown are left out', () => {
    const versions = configVersions([{ revision: 'r-2', at: 2, actor: 'ana' }, deploy('r-1', 1, { A: '1' })]);
    assert.deepEqual(
      versions.map((v) => v.revision),
      ['r-1'],
    );
  });

  test('the previous settings are those of the version before the running one', () => {
    const versions = configVersions([
      deploy('r-3', 30, { A: '3' }),
      deploy('r-2', 20, { A: '2' }),
      deploy('r-1', 10, { A: '1' }),
    ]);
    assert.equal(previousSettings(versions, { env: { A: '3' }, secrets: {} })?.revision, 'r-2');
    assert.equal(previousSettings(versions, { env: { A: '2' }, secrets: {} })?.revision, 'r-1');
    assert.equal(previousSettings(versions, { env: { A: '1' }, secrets: {} }), undefined);
    // Settings no version holds: the newest version is the one before.
    assert.equal(previousSettings(versions, { env: { A: '9' }, secrets: {} })?.revision, 'r-3');
  });
});
