// A private repository over SSH: a real sshd on loopback serves it to a deploy key only. The key
// and the server's known_hosts lines are secrets named in gitops.repository (sshKey, knownHosts),
// read from .slipway/secrets.env or the environment; the key is on disk only while git fetches.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/capture-io.js';
import { SSHD, skipWithout } from '../helpers/outside-program.js';
import { bareDesiredRepository } from './desired-repository.js';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/** A secrets.env line holding a multi-line value (double-quoted, with \n escapes). */
const secretLine = (name: string, value: string) =>
  `${name}="${value.trim().replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"\n`;

describe('gitops: a private repository over SSH with a deploy key', { skip: skipWithout(SSHD) }, () => {
  let root: string;
  let project: string;
  let home: string;
  let sshd: ChildProcess | undefined;
  let stopped = false;
  let knownHosts: string;
  let deployKey: string;
  let otherKey: string;
  const run = async (env: Record<string, string>, ...argv: string[]) => {
    const io = captureIo(project, { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', ...env });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  };
  const writeSecrets = (text: string) => {
    mkdirSync(join(project, '.slipway'), { recursive: true });
    writeFileSync(join(project, '.slipway', 'secrets.env'), text);
    rmSync(join(project, '.slipway', 'gitops'), { recursive: true, force: true });
  };
  const keyDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('slipway-ssh-')).length;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'slipway-git-ssh-'));
    home = join(root, 'home');
    mkdirSync(home);
    const bare = bareDesiredRepository(root);

    const keygen = (file: string) => {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'slipway-test', '-f', file]);
      return file;
    };
    const hostKey = keygen(join(root, 'host_key'));
    deployKey = readFileSync(keygen(join(root, 'deploy_key')), 'utf8');
    otherKey = readFileSync(keygen(join(root, 'other_key')), 'utf8');
    writeFileSync(join(root, 'authorized_keys'), readFileSync(join(root, 'deploy_key.pub')));
    const port = await freePort();
    knownHosts = `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8').trim()}\n`;
    const config = join(root, 'sshd_config');
    writeFileSync(
      config,
      [
        `ListenAddress 127.0.0.1:${port}`,
        `HostKey ${hostKey}`,
        'PidFile none',
        `AuthorizedKeysFile ${join(root, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'LogLevel INFO',
        '',
      ].join('\n'),
    );
    // sshd run by root needs its privilege-separation folder.
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });
    const log = join(root, 'sshd.log');
    writeFileSync(log, '');
    sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    sshd.stderr?.on('data', (chunk: Buffer) => {
      if (!stopped) writeFileSync(log, chunk, { flag: 'a' });
    });
    const deadline = Date.now() + 5000;
    while (!readFileSync(log, 'utf8').includes('Server listening on')) {
      if (Date.now() > deadline || sshd.exitCode !== null)
        throw new Error(`sshd did not start: ${readFileSync(log, 'utf8')}`);
      await sleep(20);
    }
    project = join(root, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'slipway.yaml'),
      [
        'version: 1',
        'gitops:',
        `  repository: { url: 'ssh://${userInfo().username}@127.0.0.1:${port}${bare}', branch: main, path: deploy, sshKey: GITOPS_DEPLOY_KEY, knownHosts: GITOPS_KNOWN_HOSTS }`,
        '',
      ].join('\n'),
    );
  });
  after(() => {
    stopped = true;
    sshd?.kill();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('the deploy key from .slipway/secrets.env opens the repository, and is removed after the fetch', async () => {
    writeSecrets(secretLine('GITOPS_DEPLOY_KEY', deployKey) + secretLine('GITOPS_KNOWN_HOSTS', knownHosts));
    const before = keyDirs();
    const out = await run({}, '--json', 'gitops', 'status');
    assert.equal(out.code, 0, out.err);
    const status = JSON.parse(out.out.trim().split('\n')[0] ?? '{}');
    assert.deepEqual(
      status.apps.map((a: { service: string; health: string }) => [a.service, a.health]),
      [['web', 'Missing']],
    );
    assert.equal(keyDirs(), before, 'no key file is left behind');
  });

  test('a key the server does not know is refused, naming the repository and not the key', async () => {
    writeSecrets(secretLine('GITOPS_KNOWN_HOSTS', knownHosts));
    const out = await run({ GITOPS_DEPLOY_KEY: otherKey }, 'gitops', 'status');
    assert.equal(out.code, 1, out.out);
    assert.match(out.err, /git could not fetch ssh:\/\/.*desired\.git .*Permission denied/);
    assert.doesNotMatch(out.err, /PRIVATE KEY/);
  });

  test('a server whose host key is not in knownHosts is refused', async () => {
    writeSecrets(secretLine('GITOPS_DEPLOY_KEY', deployKey));
    const other = readFileSync(join(root, 'other_key.pub'), 'utf8').trim();
    const out = await run({ GITOPS_KNOWN_HOSTS: `${knownHosts.split(' ')[0]} ${other}` }, 'gitops', 'status');
    assert.equal(out.code, 1, out.out);
    assert.match(out.err, /Host key verification failed/);
  });

  test('a secret that is not a private key is an error before any fetch', async () => {
    writeSecrets(secretLine('GITOPS_KNOWN_HOSTS', knownHosts));
    const out = await run({ GITOPS_DEPLOY_KEY: 'not-a-key' }, 'gitops', 'status');
    assert.equal(out.code, 2, out.err);
    assert.match(out.err, /the secret GITOPS_DEPLOY_KEY does not hold a private key/);
    assert.doesNotMatch(out.err, /not-a-key/);
  });

  test('sshKey on an https repository is a config error at its line', async () => {
    const file = join(project, 'slipway.yaml');
    const saved = readFileSync(file, 'utf8');
    try {
      writeFileSync(
        file,
        'version: 1\ngitops:\n  repository:\n    url: https://example.com/acme/deploy.git\n    sshKey: GITOPS_DEPLOY_KEY\n',
      );
      const out = await run({}, 'gitops', 'status');
      assert.equal(out.code, 2, out.err);
      assert.match(out.err, /slipway\.yaml:5:\d+.*sshKey is for repositories reached over SSH/);
    } finally {
      writeFileSync(file, saved);
    }
  });
});
