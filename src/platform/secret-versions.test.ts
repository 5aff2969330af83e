import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readSecretValues, secretVersions } from './secret-versions.js';

describe('secret versions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-secret-versions-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const stateDir = join(dir, '.slipway');

  test('a version is keyed by the project: stable here, different elsewhere, not a plain hash of the value', () => {
    const a = secretVersions(stateDir, { S: 'x' });
    assert.match(a.S ?? '', /^[0-9a-f]{12}$/);
    assert.deepEqual(secretVersions(stateDir, { S: 'x' }), a);
    assert.notEqual(secretVersions(stateDir, { S: 'y' }).S, a.S);
    assert.notEqual(a.S, createHash('sha256').update('x').digest('hex').slice(0, 12));
    const other = join(dir, 'other', '.slipway');
    assert.notEqual(secretVersions(other, { S: 'x' }).S, a.S);
    const key = join(stateDir, 'secret-versions.key');
    assert.equal(statSync(key).mode & 0o777, 0o600);
    assert.match(readFileSync(key, 'utf8'), /^[0-9a-f]{64}$/);
  });

  test('secrets set nowhere are named in one error, without any value', () => {
    const read = (name: string) => ({ A: 'value-a' })[name];
    assert.deepEqual(readSecretValues('web', ['A'], read), { A: 'value-a' });
    assert.throws(
      () => readSecretValues('web', ['A', 'B', 'C'], read),
      (error: Error) => {
        assert.match(error.message, /service web needs secret\(s\) B, C/);
        assert.doesNotMatch(error.message, /value-a/);
        return true;
      },
    );
  });
});
