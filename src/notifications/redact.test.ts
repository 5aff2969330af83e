import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { REDACTED, redactSecrets, safeCause, urlSecrets } from './redact.js';

const HOOK = 'https://hooks.slack.com/services/T0AAAA/B0BBBB/xoxSecretPart123';

describe('redactSecrets', () => {
  it('removes a secret in raw and URL-encoded form, longest first', () => {
    const text = `POST ${HOOK} failed; encoded ${encodeURIComponent(HOOK)}; path /services/T0AAAA/B0BBBB/xoxSecretPart123`;
    const out = redactSecrets(text, urlSecrets(HOOK));
    assert.ok(!out.includes('xoxSecretPart123'), out);
    assert.equal(out, `POST ${REDACTED} failed; encoded ${REDACTED}; path ${REDACTED}`);
  });

  it('leaves text without secrets, and ignores secrets too short to tell apart', () => {
    assert.equal(
      redactSecrets('connect ECONNREFUSED 127.0.0.1:9', ['abc', 'hunter22']),
      'connect ECONNREFUSED 127.0.0.1:9',
    );
  });
});

describe('safeCause', () => {
  it('keeps the code and messages, drops everything that may hold a secret', () => {
    const inner = Object.assign(new Error(`connect ECONNREFUSED for ${HOOK}`), { code: 'ECONNREFUSED' });
    const outer = Object.assign(new TypeError('fetch failed', { cause: inner }), { request: { url: HOOK } });
    const safe = safeCause(outer, urlSecrets(HOOK));
    assert.equal(safe.name, 'TypeError');
    assert.equal((safe as Error & { code?: string }).code, 'ECONNREFUSED');
    assert.match(safe.message, /^fetch failed: connect ECONNREFUSED for \[redacted\]$/);
    assert.ok(!inspect(safe, { showHidden: true, depth: 10 }).includes('xoxSecretPart123'));
  });
});
