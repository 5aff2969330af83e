import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  hashHostName,
  knownHostsLine,
  knownHostsName,
  parseFingerprints,
  parseHostKeyLines,
} from './known-hosts.js';

describe('known_hosts format', () => {
  test('the recorded name follows ssh: plain on port 22, bracketed otherwise, an alias wins', () => {
    assert.equal(knownHostsName('10.0.0.5', 22), '10.0.0.5');
    assert.equal(knownHostsName('10.0.0.5', 2222), '[10.0.0.5]:2222');
    assert.equal(knownHostsName('10.0.0.5', 2222, 'web-1'), 'web-1');
  });

  test('a hashed name is HMAC-SHA1 of the name under its salt', () => {
    const salt = Buffer.alloc(20, 7);
    const [, kind, saltText, hash] = hashHostName('10.0.0.5', salt).split('|');
    assert.equal(kind, '1');
    assert.equal(saltText, salt.toString('base64'));
    assert.equal(hash, createHmac('sha1', salt).update('10.0.0.5').digest('base64'));
    assert.match(
      knownHostsLine('h', { type: 'ssh-ed25519', key: 'AAA' }, true),
      /^\|1\|\S+\|\S+ ssh-ed25519 AAA$/,
    );
    assert.equal(knownHostsLine('h', { type: 'ssh-ed25519', key: 'AAA' }, false), 'h ssh-ed25519 AAA');
  });

  test('keyscan output and ssh-keygen -l output are parsed in order', () => {
    const scan = '# h:22 SSH-2.0-OpenSSH_9.2\nh ssh-rsa AAAA1\n\nh ssh-ed25519 AAAA2\n@revoked h ssh-rsa X\n';
    assert.deepEqual(parseHostKeyLines(scan), [
      { type: 'ssh-rsa', key: 'AAAA1' },
      { type: 'ssh-ed25519', key: 'AAAA2' },
    ]);
    const prints = '3072 SHA256:abc h (RSA)\n256 SHA256:def/+x h (ED25519)\n';
    assert.deepEqual(parseFingerprints(prints), [
      { bits: 3072, fingerprint: 'SHA256:abc', label: 'RSA' },
      { bits: 256, fingerprint: 'SHA256:def/+x', label: 'ED25519' },
    ]);
  });
});
