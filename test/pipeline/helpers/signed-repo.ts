// Builds git repositories with real signed commits for the signedCommits tests: SSH keys made with
// ssh-keygen, GPG keys made in a throwaway GNUPGHOME, commits signed by either, or not at all.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How to sign a commit: with an SSH key (its .pub file) or a GPG key (its fingerprint and home). */
export type Signer =
  | { readonly format: 'ssh'; readonly publicKey: string }
  | { readonly format: 'openpgp'; readonly fingerprint: string; readonly gnupgHome: string };

/** An SSH key pair made for the test. */
export interface SshKey {
  readonly publicKey: string;
  /** The `principal key-type base64` line of an allowed-signers file. */
  allowedSignersLine(principal: string): string;
  readonly signer: Signer;
}

/** Runs git in `dir` with no user or system config, as Tester. */
export function git(dir: string, args: readonly string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Tester',
      GIT_AUTHOR_EMAIL: 'tester@example.com',
      GIT_COMMITTER_NAME: 'Tester',
      GIT_COMMITTER_EMAIL: 'tester@example.com',
      ...env,
    },
  })
    .toString()
    .trim();
}

/** Makes `dir` a git repository on branch main (nothing committed yet). */
export function initRepo(dir: string): void {
  git(dir, ['init', '-q', '-b', 'main']);
  writeFileSync(join(dir, '.gitignore'), '.slipway/\ndeployed.txt\n');
}

/** Commits everything in `dir`, signed by `signer` or not; returns the new HEAD. */
export function commitAll(dir: string, message: string, signer?: Signer): string {
  git(dir, ['add', '-A']);
  const sign =
    signer === undefined
      ? []
      : signer.format === 'ssh'
        ? ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${signer.publicKey}`]
        : ['-c', 'gpg.format=openpgp', '-c', `user.signingkey=${signer.fingerprint}`];
  const env: Record<string, string> = signer?.format === 'openpgp' ? { GNUPGHOME: signer.gnupgHome } : {};
  git(dir, [...sign, 'commit', '-q', '--allow-empty', ...(signer ? ['-S'] : []), '-m', message], env);
  return git(dir, ['rev-parse', 'HEAD']);
}

/**
 * A copy of signed commit `sha` with another message, keeping the signature: a commit whose
 * signature does not match it. Returns its SHA (written to the object store, not checked out).
 */
export function tamperedCopy(dir: string, sha: string): string {
  const raw = git(dir, ['cat-file', 'commit', sha]);
  const file = join(dir, '.git', 'tampered-commit');
  writeFileSync(file, `${raw.replace(/\n\n[\s\S]*$/, '\n\ntampered message')}\n`);
  return git(dir, ['hash-object', '-t', 'commit', '-w', file]);
}

/** A new ed25519 key pair without a passphrase, in `dir`. */
export function sshKey(dir: string, name: string): SshKey {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path], { timeout: 20_000 });
  const publicKey = `${path}.pub`;
  const [type, base64] = readFileSync(publicKey, 'utf8').trim().split(/\s+/);
  return {
    publicKey,
    allowedSignersLine: (principal) => `${principal} ${type} ${base64}`,
    signer: { format: 'ssh', publicKey },
  };
}

/** A GnuPG home with one new signing key; `close` stops its agent and removes it. */
export interface GpgHome {
  readonly home: string;
  readonly fingerprint: string;
  readonly signer: Signer;
  /** Writes the public key, as `gpg --export` does, to `file`. */
  exportPublicKey(file: string): void;
  close(): void;
}

/** Makes a GnuPG home holding a new ed25519 signing key for `uid` (no passphrase). */
export function gpgHome(uid: string): GpgHome {
  const home = mkdtempSync(join(tmpdir(), 'slipway-gpg-'));
  const gpg = (args: readonly string[]) =>
    execFileSync('gpg', ['--batch', '--quiet', ...args], {
      env: { PATH: process.env.PATH, HOME: home, GNUPGHOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    }).toString();
  gpg(['--passphrase', '', '--quick-gen-key', uid, 'ed25519', 'sign', 'never']);
  const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(gpg(['--with-colons', '--list-secret-keys']))?.[1];
  if (!fingerprint) throw new Error(`no key made in ${home}`);
  return {
    home,
    fingerprint,
    signer: { format: 'openpgp', fingerprint, gnupgHome: home },
    exportPublicKey: (file) =>
      writeFileSync(
        file,
        execFileSync('gpg', ['--batch', '--export', fingerprint], {
          env: { PATH: process.env.PATH, HOME: home, GNUPGHOME: home },
        }),
      ),
    close: () => {
      // Signing started an agent for this home only; stop it before removing its socket's folder.
      try {
        execFileSync('gpgconf', ['--kill', 'gpg-agent'], {
          env: { PATH: process.env.PATH, GNUPGHOME: home },
          stdio: 'ignore',
          timeout: 10_000,
        });
      } catch {
        // no agent was running
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
