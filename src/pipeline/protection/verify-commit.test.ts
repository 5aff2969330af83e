// What `git verify-commit --raw` prints, read into verdicts (the outputs are git 2.39's and OpenSSH's
// and GnuPG's own; test/pipeline runs them for real on signed commits).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readVerifyOutput, signatureFormat } from './verify-commit.js';

const commit = (signature?: string) =>
  [
    'tree fd43cc879db368e808a98b81005d6f21a8852a15',
    'author A <a@x> 1796609064 +0000',
    'committer A <a@x> 1796609064 +0000',
    ...(signature ? [`gpgsig ${signature}`, ' AAAA', ' -----END SIGNATURE-----'] : []),
    '',
    'gpgsig -----BEGIN SSH SIGNATURE----- (in the message, not a header)',
  ].join('\n');

test('the signature format comes from the commit header, not its message', () => {
  assert.equal(signatureFormat(commit('-----BEGIN SSH SIGNATURE-----')), 'ssh');
  assert.equal(signatureFormat(commit('-----BEGIN PGP SIGNATURE-----')), 'gpg');
  assert.equal(signatureFormat(commit('-----BEGIN SIGNED MESSAGE-----')), 'x509');
  assert.equal(signatureFormat(commit()), undefined);
  assert.equal(signatureFormat(commit().replace('\ngpgsig', '\ngpgsig-sha256')), undefined);
  assert.equal(
    signatureFormat(commit('-----BEGIN SSH SIGNATURE-----').replace('gpgsig ', 'gpgsig-sha256 ')),
    'ssh',
  );
});

test('SSH: good with its principal, a key not in the file, an incorrect signature', () => {
  assert.deepEqual(
    readVerifyOutput(
      'ssh',
      0,
      'Good "git" signature for alice@example.com with ED25519 key SHA256:wB/Ezgx\n',
    ),
    { status: 'good', format: 'ssh', signer: 'alice@example.com (ED25519 key SHA256:wB/Ezgx)' },
  );
  assert.deepEqual(
    readVerifyOutput(
      'ssh',
      1,
      'Good "git" signature with ED25519 key SHA256:6u+2ehB\nNo principal matched.\n',
    ),
    { status: 'unknown_key', format: 'ssh', key: 'ED25519 key SHA256:6u+2ehB' },
  );
  assert.deepEqual(
    readVerifyOutput(
      'ssh',
      1,
      'Could not verify signature.\nSignature verification failed: incorrect signature\n',
    ),
    { status: 'bad', format: 'ssh', reason: 'Signature verification failed: incorrect signature' },
  );
  assert.deepEqual(
    readVerifyOutput(
      'ssh',
      1,
      'error: gpg.ssh.allowedSignersFile needs to be configured and exist for ssh signature verification\n',
    ),
    {
      status: 'unverifiable',
      reason:
        'error: gpg.ssh.allowedSignersFile needs to be configured and exist for ssh signature verification',
    },
  );
});

test('GPG: good with its user id and fingerprint, no public key, a bad or expired signature', () => {
  const good = [
    '[GNUPG:] NEWSIG',
    '[GNUPG:] GOODSIG 9942FD2EC86DC2F8 Bob <bob@x>',
    '[GNUPG:] VALIDSIG A083EBD4588DDE6FF75A1B3E9942FD2EC86DC2F8 2026-12-07 1796609073 0 4 0 22 8 00 A083',
    '[GNUPG:] TRUST_UNDEFINED 0 pgp',
  ].join('\n');
  assert.deepEqual(readVerifyOutput('gpg', 0, good), {
    status: 'good',
    format: 'gpg',
    signer: 'Bob <bob@x> (GPG key A083EBD4588DDE6FF75A1B3E9942FD2EC86DC2F8)',
  });
  assert.deepEqual(
    readVerifyOutput(
      'gpg',
      1,
      '[GNUPG:] ERRSIG 9942FD2EC86DC2F8 22 8 00 1796609073 9 A083\n[GNUPG:] NO_PUBKEY 9942FD2EC86DC2F8\n',
    ),
    { status: 'unknown_key', format: 'gpg', key: 'GPG key 9942FD2EC86DC2F8' },
  );
  assert.equal(readVerifyOutput('gpg', 1, '[GNUPG:] BADSIG 9942FD2EC86DC2F8 Bob <bob@x>\n').status, 'bad');
  assert.deepEqual(readVerifyOutput('gpg', 1, '[GNUPG:] EXPKEYSIG 9942FD2EC86DC2F8 Bob <bob@x>\n'), {
    status: 'bad',
    format: 'gpg',
    reason: 'the signing key has expired',
  });
  assert.deepEqual(readVerifyOutput('gpg', 1, good), {
    status: 'unverifiable',
    reason: 'git verify-commit refused the good signature of Bob <bob@x> (exit 1; is gpg.minTrustLevel set?)',
  });
});
