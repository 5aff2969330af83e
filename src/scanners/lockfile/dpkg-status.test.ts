// dpkg's status file: hand-written stanzas (continuations, sources with versions, packages not
// installed), then this machine's real database cross-checked against dpkg-query.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { debianEcosystemOf, isInstalledStatus, parseDpkgStatus, readDpkgStatus } from './dpkg-status.js';

const STATUS = `Package: libssl3
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL
 .
 and TLS cryptographic protocols.

Package: removed-thing
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: zlib1g
Status: hold ok installed
Architecture: amd64
Source: zlib (1:1.2.13.dfsg-1)
Version: 1:1.2.13.dfsg-1+b1

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2024a-0+deb12u1
`;

describe('parseDpkgStatus', () => {
  test('installed packages by source name and source version, located at their stanza', () => {
    assert.deepEqual(parseDpkgStatus(STATUS, 'var/lib/dpkg/status', 'Debian:12'), [
      {
        ecosystem: 'Debian:12',
        name: 'openssl',
        version: '3.0.11-1~deb12u2',
        file: 'var/lib/dpkg/status',
        path: 'libssl3:amd64',
        line: 1,
        dev: false,
        optional: false,
      },
      {
        ecosystem: 'Debian:12',
        name: 'zlib',
        version: '1:1.2.13.dfsg-1',
        file: 'var/lib/dpkg/status',
        path: 'zlib1g:amd64',
        line: 18,
        dev: false,
        optional: false,
      },
      {
        ecosystem: 'Debian:12',
        name: 'tzdata',
        version: '2024a-0+deb12u1',
        file: 'var/lib/dpkg/status',
        path: 'tzdata',
        line: 24,
        dev: false,
        optional: false,
      },
    ]);
  });

  test('statuses and ecosystems', () => {
    assert.equal(isInstalledStatus('install ok installed'), true);
    assert.equal(isInstalledStatus('install ok half-configured'), false);
    assert.equal(isInstalledStatus('install reinstreq installed'), false);
    assert.equal(debianEcosystemOf('NAME="Debian GNU/Linux"\nVERSION_ID="12"\n'), 'Debian:12');
    assert.equal(debianEcosystemOf('VERSION_ID=11\n'), 'Debian:11');
    assert.equal(debianEcosystemOf('PRETTY_NAME="Debian GNU/Linux trixie/sid"\n'), 'Debian');
  });

  const real = existsSync('/var/lib/dpkg/status') && spawnSync('dpkg-query', ['--version']).status === 0;
  test('this machine: the same packages dpkg-query lists', {
    skip: !real && 'no dpkg database here',
  }, async () => {
    const packages = await readDpkgStatus('/');
    const query = spawnSync(
      'dpkg-query',
      ['-W', '-f', '${db:Status-Status} ${source:Package} ${source:Version} ${Package}\n'],
      { encoding: 'utf8' },
    );
    const expected = query.stdout
      .split('\n')
      .filter((line) => line.startsWith('installed '))
      .map((line) => line.split(' ').slice(1, 4).join(' '))
      .sort();
    assert.ok(expected.length > 10);
    assert.deepEqual(packages.map((p) => `${p.name} ${p.version} ${p.path.split(':')[0]}`).sort(), expected);
    const release = /^VERSION_ID="?(\d+)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (release !== undefined) assert.ok(packages.every((p) => p.ecosystem === `Debian:${release}`));
  });
});
