/**
 * Whether a commit is signed by someone the project trusts, as `git verify-commit` decides it: SSH
 * signatures against an allowed-signers file (`gpg.ssh.allowedSignersFile`), GPG signatures against
 * a keyring of public keys (imported into a throwaway GNUPGHOME) or the runner's own.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How a commit is signed. */
export type SignatureFormat = 'ssh' | 'gpg' | 'x509';

/** What verifying a commit's signature found. */
export type SignatureVerdict =
  | { readonly status: 'good'; readonly format: SignatureFormat; readonly signer: string }
  | { readonly status: 'unsigned' }
  | { readonly status: 'unknown_key'; readonly format: SignatureFormat; readonly key: string }
  | { readonly status: 'bad'; readonly format: SignatureFormat; readonly reason: string }
  | { readonly status: 'unverifiable'; readonly reason: string };

/** Where and against what a commit is verified; paths are absolute. */
export interface VerifyCommitInput {
  readonly repoDir: string;
  readonly sha: string;
  readonly allowedSigners: string;
  /** Public GPG keys to trust; absent: the keyring of the environment's GNUPGHOME (or ~/.gnupg). */
  readonly gpgKeyring?: string;
  readonly env: Readonly<Record<string, string>>;
}

const SHA = /^[0-9a-f]{4,64}$/;
const TIMEOUT_MS = 30_000;

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { cwd, env, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr: stderr || (error && code === -1 ? error.message : '') });
      },
    );
    child.stdin?.end();
  });
}

/** The format of the signature in a raw commit object (`git cat-file commit`), or undefined when unsigned. */
export function signatureFormat(commit: string): SignatureFormat | undefined {
  const headers = commit.split('\n\n', 1)[0] ?? '';
  const match = /^gpgsig(?:-sha256)? (.*)$/m.exec(headers);
  if (!match) return undefined;
  const first = match[1] ?? '';
  if (first.includes('BEGIN SSH SIGNATURE')) return 'ssh';
  if (first.includes('BEGIN SIGNED MESSAGE')) return 'x509';
  return 'gpg';
}

/** Reads what `git verify-commit --raw` printed (both streams) and how it exited. Pure. */
export function readVerifyOutput(format: SignatureFormat, code: number, output: string): SignatureVerdict {
  const lastLine = output.trim().split('\n').at(-1)?.trim() ?? '';
  if (format === 'ssh') {
    const good = /Good "git" signature (?:for (.+?) )?with (\S+) key (\S+)/.exec(output);
    const key = good ? `${good[2]} key ${good[3]}` : undefined;
    if (code === 0 && good) return { status: 'good', format, signer: `${good[1] ?? 'unknown'} (${key})` };
    if (/No principal matched/.test(output) && key) return { status: 'unknown_key', format, key };
    if (/incorrect signature|Could not verify signature/.test(output))
      return { status: 'bad', format, reason: lastLine };
    return { status: 'unverifiable', reason: lastLine || `git verify-commit exited with ${code}` };
  }
  if (format === 'gpg') {
    const status = (name: string) => new RegExp(`^\\[GNUPG:\\] ${name} (.*)$`, 'm').exec(output)?.[1];
    const good = status('GOODSIG');
    const fingerprint = status('VALIDSIG')?.split(' ')[0];
    if (code === 0 && good) {
      const [keyId, ...uid] = good.split(' ');
      return { status: 'good', format, signer: `${uid.join(' ')} (GPG key ${fingerprint ?? keyId})` };
    }
    if (good)
      return {
        status: 'unverifiable',
        reason: `git verify-commit refused the good signature of ${good.split(' ').slice(1).join(' ')} (exit ${code}; is gpg.minTrustLevel set?)`,
      };
    const noKey = status('NO_PUBKEY');
    if (noKey) return { status: 'unknown_key', format, key: `GPG key ${noKey.trim()}` };
    if (status('BADSIG')) return { status: 'bad', format, reason: 'the signature does not match the commit' };
    if (status('EXPKEYSIG')) return { status: 'bad', format, reason: 'the signing key has expired' };
    if (status('REVKEYSIG')) return { status: 'bad', format, reason: 'the signing key was revoked' };
    if (status('EXPSIG')) return { status: 'bad', format, reason: 'the signature has expired' };
    return { status: 'unverifiable', reason: lastLine || `git verify-commit exited with ${code}` };
  }
  return {
    status: 'unverifiable',
    reason: 'X.509 (gpgsm) signatures are not supported; sign with SSH or GPG',
  };
}

/** Verifies the signature of commit `sha` in `repoDir`. Never rejects. */
export async function verifyCommit(input: VerifyCommitInput): Promise<SignatureVerdict> {
  if (!SHA.test(input.sha)) return { status: 'unverifiable', reason: `'${input.sha}' is not a commit SHA` };
  const env = { ...input.env };
  const raw = await run('git', ['cat-file', 'commit', input.sha], input.repoDir, env);
  if (raw.code !== 0)
    return { status: 'unverifiable', reason: `git cat-file: ${raw.stderr.trim() || `exit ${raw.code}`}` };
  const format = signatureFormat(raw.stdout);
  if (format === undefined) return { status: 'unsigned' };
  if (format === 'x509') return readVerifyOutput(format, 1, '');
  let home: string | undefined;
  try {
    if (format === 'gpg' && input.gpgKeyring !== undefined) {
      home = await mkdtemp(join(tmpdir(), 'slipway-gnupg-'));
      env.GNUPGHOME = home;
      // --no-autostart: importing public keys needs no agent, and none is left behind.
      const imported = await run(
        'gpg',
        ['--batch', '--quiet', '--no-autostart', '--import', input.gpgKeyring],
        input.repoDir,
        env,
      );
      if (imported.code !== 0)
        return {
          status: 'unverifiable',
          reason: `gpg --import ${input.gpgKeyring}: ${imported.stderr.trim() || `exit ${imported.code}`}`,
        };
    }
    const verified = await run(
      'git',
      ['-c', `gpg.ssh.allowedSignersFile=${input.allowedSigners}`, 'verify-commit', '--raw', input.sha],
      input.repoDir,
      env,
    );
    return readVerifyOutput(format, verified.code, `${verified.stdout}\n${verified.stderr}`);
  } finally {
    if (home !== undefined) await rm(home, { recursive: true, force: true });
  }
}
