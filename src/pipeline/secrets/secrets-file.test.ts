import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SecretsError } from './errors.js';
import { parseSecretsEnv, readSecretsFile } from './secrets-file.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Asserts that parsing `text` fails as malformed on `line`, and that the message leaks no value. */
function assertMalformed(text: string, line: number, hidden?: string): void {
  assert.throws(
    () => parseSecretsEnv(text, 'secrets.env'),
    (error: unknown) => {
      assert.ok(error instanceof SecretsError);
      assert.equal(error.code, 'SECRETS_FILE_MALFORMED');
      assert.equal(error.line, line);
      assert.match(error.message, new RegExp(`^secrets\\.env:${line}: `));
      if (hidden !== undefined) assert.ok(!error.message.includes(hidden), error.message);
      return true;
    },
  );
}

test('reads every supported form', () => {
  const text = [
    '\uFEFF# deploy credentials',
    '',
    'PLAIN=abc123',
    'export EXPORTED=from-export',
    '  SPACED = padded value  ',
    'COMMENTED=value # trailing comment',
    'HASH=abc#def',
    'EMPTY=',
    "SINGLE='lit\\n $HOME # not a comment'",
    'DOUBLE="tab\\there \\"q\\" back\\\\slash" # comment',
    'WINDOWS=crlf\r',
    'KEY="-----BEGIN KEY-----',
    'line two',
    '-----END KEY-----"',
    'PLAIN=overridden',
  ].join('\n');
  assert.deepEqual(parseSecretsEnv(text, 'secrets.env'), {
    PLAIN: 'overridden',
    EXPORTED: 'from-export',
    SPACED: 'padded value',
    COMMENTED: 'value',
    HASH: 'abc#def',
    EMPTY: '',
    SINGLE: 'lit\\n $HOME # not a comment',
    DOUBLE: 'tab\there "q" back\\slash',
    WINDOWS: 'crlf',
    KEY: '-----BEGIN KEY-----\nline two\n-----END KEY-----',
  });
});

test('a line without = is malformed, with its line number', () => {
  assertMalformed('A=1\n\nthis is not an assignment\n', 3);
});

test('an invalid key is malformed', () => {
  assertMalformed('1ABC=x', 1);
  assertMalformed('MY-KEY=x', 1);
  assertMalformed('=value-only', 1);
});

test('an unterminated quote is malformed at the line it opens, without echoing the value', () => {
  assertMalformed('A=1\nTOKEN="s3cr3t-start\nmore', 2, 's3cr3t');
  assertMalformed("TOKEN='open", 1, 'open');
});

test('text after a closing quote is malformed', () => {
  assertMalformed('TOKEN="abc" trailing', 1, 'abc');
});

test('readSecretsFile returns {} for a missing file and parses an existing one', () => {
  assert.deepEqual(readSecretsFile(join(dir, 'missing.env')), {});
  const path = join(dir, 'secrets.env');
  writeFileSync(path, 'DEPLOY_TOKEN=t0k3n\n');
  assert.deepEqual(readSecretsFile(path), { DEPLOY_TOKEN: 't0k3n' });
});

test('readSecretsFile reports a path it cannot read', () => {
  assert.throws(
    () => readSecretsFile(dir),
    (error: unknown) => error instanceof SecretsError && error.code === 'SECRETS_FILE_UNREADABLE',
  );
});

test('a key named __proto__ is an ordinary key', () => {
  const parsed = parseSecretsEnv('__proto__=x', 'secrets.env');
  assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  assert.deepEqual(Object.keys(parsed), ['__proto__']);
});
