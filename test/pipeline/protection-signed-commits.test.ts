// The signedCommits policy through the real CLI on real signed commits: production's gate verifies
// the run's commit with `git verify-commit`; an unsigned commit, a key not in the trusted file and a
// signature that does not match the commit each block it (before any approval is asked for), naming
// the rule; a commit signed by a trusted key waits for approval and deploys.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { GPG, SSH, skipWithout } from '../helpers/outside-program.js';
import { show } from './helpers/cli.js';
import { finishedJobs, runEvents, startedRunId } from './helpers/events.js';
import { createProject, type Project } from './helpers/project.js';
import { commitAll, git, gpgHome, initRepo, sshKey, tamperedCopy } from './helpers/signed-repo.js';

const RUNNER = { SLIPWAY_ACTOR: 'pipeline-bot' };

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-keys-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the pipeline at HEAD and expects production to be blocked with `message`, never waiting. */
async function expectBlocked(project: Project, message: string, env: Record<string, string> = {}) {
  const { result, events } = await project.runJson(['run'], {
    env: { ...RUNNER, ...env },
    timeoutMs: 30_000,
  });
  assert.equal(result.code, 1, show(result));
  const production = finishedJobs(events).get('deploy.production');
  assert.equal(production?.status, 'failure', show(result));
  assert.equal(production?.message, message);
  assert.equal(
    events.some((e) => e.type === 'approval.waiting'),
    false,
    'a blocked gate never asks for approval',
  );
  assert.equal(project.exists('deployed.txt'), false);
  return { result, events };
}

/** Runs the pipeline at HEAD, approves production and expects it deployed; returns the gate's log. */
async function expectDeployed(project: Project, env: Record<string, string> = {}): Promise<string[]> {
  const running = project.start(['run', '--json'], { env: { ...RUNNER, ...env }, timeoutMs: 30_000 });
  await running.waitForStdout(/"type":"approval\.waiting"/);
  const id = await startedRunId(running.stdout);
  const approve = await project.run(['approve', String(id), 'production']);
  assert.equal(approve.code, 0, show(approve));
  const result = await running.result;
  assert.equal(result.code, 0, show(result));
  assert.equal(finishedJobs(runEvents(result.stdout)).get('deploy.production')?.status, 'success');
  const head = git(project.dir, ['rev-parse', '--short', 'HEAD']);
  assert.equal(project.read('deployed.txt'), `production ${head}\n`);
  project.remove('deployed.txt');
  return (await project.logs(id, 'deploy.production')).map((line) => line.text);
}

describe('signedCommits', { concurrency: true }, () => {
  test('SSH: unsigned, an unknown key and a tampered commit block production; an allowed signer deploys', {
    skip: skipWithout(SSH),
  }, async (t) => {
    const keys = tempDir(t);
    const alice = sshKey(keys, 'alice');
    const mallory = sshKey(keys, 'mallory');
    const project = createProject(t, 'protection-signed-commits-ssh.yaml', {
      files: { allowed_signers: `${alice.allowedSignersLine('alice@example.com')}\n` },
    });
    initRepo(project.dir);

    const unsigned = commitAll(project.dir, 'unsigned');
    await expectBlocked(
      project,
      `protection rule 'signedCommits' of production: commit ${unsigned.slice(0, 7)} is not signed`,
    );

    const byMallory = commitAll(project.dir, 'signed by mallory', mallory.signer);
    const { events } = await expectBlocked(
      project,
      `protection rule 'signedCommits' of production: commit ${byMallory.slice(0, 7)} is signed by SSH ED25519 key ${sshFingerprint(mallory.publicKey)}, which is not in allowed_signers`,
    );
    assert.equal(finishedJobs(events).get('build')?.status, 'success', 'jobs before the gate still ran');

    const byAlice = commitAll(project.dir, 'signed by alice', alice.signer);
    const tampered = tamperedCopy(project.dir, byAlice);
    git(project.dir, ['reset', '-q', '--hard', tampered]);
    await expectBlocked(
      project,
      `protection rule 'signedCommits' of production: commit ${tampered.slice(0, 7)} has a bad signature: Signature verification failed: incorrect signature`,
    );

    git(project.dir, ['reset', '-q', '--hard', byAlice]);
    const log = await expectDeployed(project);
    assert.ok(
      log.includes(
        `protection of production: commit ${byAlice.slice(0, 7)} is signed by alice@example.com (ED25519 key ${sshFingerprint(alice.publicKey)})`,
      ),
      log.join('\n'),
    );

    const blocked = (await project.events()).filter((e) => e.type === 'protection.blocked');
    assert.deepEqual(
      blocked.map((e) => [e.runId, e.environment, e.data.rule]),
      [
        [1, 'production', 'signedCommits'],
        [2, 'production', 'signedCommits'],
        [3, 'production', 'signedCommits'],
      ],
    );
    assert.match(String(blocked[0]?.data.message), /is not signed$/);
  });

  test('GPG: a key in the keyring file deploys, another key is blocked; without a file, the runner keyring decides', {
    skip: skipWithout(GPG),
  }, async (t) => {
    const bob = gpgHome('Bob <bob@example.com>');
    t.after(() => bob.close());
    const eve = gpgHome('Eve <eve@example.com>');
    t.after(() => eve.close());
    const project = createProject(t, 'protection-signed-commits-gpg.yaml', {
      files: { allowed_signers: '' },
    });
    bob.exportPublicKey(project.path('trusted.gpg'));
    initRepo(project.dir);

    const byBob = commitAll(project.dir, 'signed by bob', bob.signer);
    const log = await expectDeployed(project);
    assert.ok(
      log.includes(
        `protection of production: commit ${byBob.slice(0, 7)} is signed by Bob <bob@example.com> (GPG key ${bob.fingerprint})`,
      ),
      log.join('\n'),
    );

    const byEve = commitAll(project.dir, 'signed by eve', eve.signer);
    await expectBlocked(
      project,
      `protection rule 'signedCommits' of production: commit ${byEve.slice(0, 7)} is signed by GPG key ${eve.fingerprint.slice(-16)}, which is not in trusted.gpg`,
    );

    // Without gpgKeyring the runner's own keyring (its GNUPGHOME) is the trusted one.
    project.write('slipway.yaml', project.read('slipway.yaml').replace(', gpgKeyring: trusted.gpg }', ' }'));
    await expectDeployed(project, { GNUPGHOME: eve.home });
    await expectBlocked(
      project,
      `protection rule 'signedCommits' of production: commit ${byEve.slice(0, 7)} is signed by GPG key ${eve.fingerprint.slice(-16)}, which is not in the runner's GPG keyring`,
      { GNUPGHOME: bob.home },
    );
  });
});

/** The SHA256 fingerprint of a public key, as ssh-keygen prints it. */
function sshFingerprint(publicKey: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKey], { timeout: 10_000 });
  return out.toString().split(/\s+/)[1]!;
}
