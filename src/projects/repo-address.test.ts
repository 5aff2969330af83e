import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeRepoAddress, pushedRepoKeys, RepoAddressError, repoKey } from './repo-address.js';

test('normalizeRepoAddress keeps URLs and scp-like addresses, makes paths absolute, refuses the rest', () => {
  assert.equal(
    normalizeRepoAddress('https://github.com/acme/api.git', '/w'),
    'https://github.com/acme/api.git',
  );
  assert.equal(normalizeRepoAddress('git@github.com:acme/api.git', '/w'), 'git@github.com:acme/api.git');
  assert.equal(normalizeRepoAddress('../repos/api', '/w/x'), '/w/repos/api');
  assert.equal(normalizeRepoAddress('/srv/git/api', '/w'), '/srv/git/api');
  assert.throws(() => normalizeRepoAddress('ftp://example.com/a', '/w'), RepoAddressError);
  assert.throws(() => normalizeRepoAddress('https://u:secret@example.com/a', '/w'), /password/);
  assert.throws(() => normalizeRepoAddress('  ', '/w'), /empty/);
});

test('repoKey: one key for the https, ssh, git and web addresses of a repository', () => {
  const keys = [
    'https://github.com/Acme/API.git',
    'https://github.com/acme/api/',
    'git@github.com:acme/api.git',
    'ssh://git@github.com/acme/api.git',
    'git://github.com/acme/api.git',
  ].map(repoKey);
  assert.deepEqual(new Set(keys), new Set(['github.com/acme/api']));
  assert.equal(repoKey('/srv/Git/api.git'), '/srv/Git/api');
  assert.equal(repoKey('file:///srv/Git/api'), '/srv/Git/api');
  assert.notEqual(repoKey('https://github.com/acme/api'), repoKey('https://github.com/acme/api2'));
  assert.deepEqual(
    pushedRepoKeys({
      clone_url: 'https://github.com/acme/api.git',
      ssh_url: 'git@github.com:acme/api.git',
      id: 1,
    }),
    new Set(['github.com/acme/api']),
  );
  assert.deepEqual(pushedRepoKeys(undefined), new Set());
});
