import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact } from './git-mirror.js';

test('a token or password in a repository URL never reaches a message', () => {
  assert.equal(
    redact("fatal: unable to access 'https://x-access-token:ghp_secret@github.com/acme/deploy.git/'"),
    "fatal: unable to access 'https://***@github.com/acme/deploy.git/'",
  );
  assert.equal(
    redact('ssh://git@example.com/acme.git and file:///srv/x'),
    'ssh://***@example.com/acme.git and file:///srv/x',
  );
  assert.equal(redact('git@github.com:acme/deploy.git'), 'git@github.com:acme/deploy.git');
});
