// `slipway host trust HOST` end to end, against a real sshd in a network namespace: it shows the
// fingerprints of the host named in slipway.yaml and records exactly those keys in known_hosts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/capture-io.js';
import { createNamespaceHosts, type NamespaceHosts, namespaceHostsSkip } from '../helpers/namespace-hosts.js';

describe('slipway host trust', { timeout: 60_000, skip: namespaceHostsSkip() }, () => {
  let lab: NamespaceHosts;
  let project: string;

  before(async () => {
    lab = await createNamespaceHosts(1);
    project = lab.scratch;
    const host = lab.hosts[0]!;
    writeFileSync(
      join(project, 'slipway.yaml'),
      [
        'jobs:',
        '  build: { run: "true" }',
        'hosts:',
        `  use1-a: { address: ssh://root@${host.address}, region: us-east-1 }`,
        '',
      ].join('\n'),
    );
  });
  after(async () => lab?.cleanup());

  const slipway = async (...args: string[]) => {
    const io = captureIo(project, { ...process.env, NO_COLOR: '1' });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };
  const realFingerprint = () =>
    execFileSync('ssh-keygen', ['-lf', lab.hosts[0]!.hostKeyPubs[0]!], { encoding: 'utf8' }).split(' ')[1]!;

  test('shows the fingerprints, records the keys, and records nothing the second time', async () => {
    const knownHosts = join(project, 'known_hosts');
    const first = await slipway('host', 'trust', 'use1-a', '--known-hosts', knownHosts);
    assert.equal(first.code, 0, first.err + first.out);
    assert.match(
      first.out,
      new RegExp(`Host use1-a \\(root@${lab.hosts[0]!.address.replaceAll('.', '\\.')}`),
    );
    assert.ok(
      first.out.includes(realFingerprint()),
      `the real fingerprint ${realFingerprint()} is not shown:\n${first.out}`,
    );
    assert.match(first.out, /Recorded 1 host key of use1-a \(ED25519\)/);
    // Hashed or not, as the ssh config says: ssh-keygen -F finds the host either way.
    const found = execFileSync('ssh-keygen', ['-F', lab.hosts[0]!.address, '-f', knownHosts], {
      encoding: 'utf8',
    });
    assert.match(found, /ssh-ed25519 /);
    const again = await slipway('host', 'trust', 'use1-a', '--known-hosts', knownHosts, '--json');
    assert.equal(again.code, 0, again.err);
    const result = JSON.parse(again.out) as { recorded: unknown[]; alreadyKnown: { fingerprint: string }[] };
    assert.deepEqual(result.recorded, []);
    assert.deepEqual(
      result.alreadyKnown.map((k) => k.fingerprint),
      [realFingerprint()],
    );
  });

  test('a fingerprint the host does not offer records nothing and fails', async () => {
    const knownHosts = join(project, 'known_hosts-expect');
    const run = await slipway(
      'host',
      'trust',
      'use1-a',
      '--known-hosts',
      knownHosts,
      '--fingerprint',
      'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    assert.notEqual(run.code, 0);
    assert.match(run.err, /offers no key with fingerprint SHA256:AAAA/);
    assert.equal(existsSync(knownHosts) && readFileSync(knownHosts, 'utf8').trim() !== '', false);
  });

  test('a host slipway.yaml does not name is a usage error listing the hosts', async () => {
    const run = await slipway('host', 'trust', 'use1-b', '--known-hosts', join(project, 'kh-unused'));
    assert.equal(run.code, 2, run.err);
    assert.match(run.err, /unknown host 'use1-b' \(hosts in slipway\.yaml: use1-a\)/);
  });
});
