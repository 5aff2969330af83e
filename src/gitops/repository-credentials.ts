/**
 * The credentials of a private repository, named in `gitops.repository` (`token` for http(s),
 * `sshKey` and `knownHosts` for SSH) and read as job secrets are: from the environment, else from
 * `.slipway/secrets.env`. A named secret that is set nowhere, or an SSH key that is not a private
 * key, is an error before anything is fetched; no error shows a value.
 */
import { join } from 'node:path';
import type { ResolvedGitOps } from '../config/resolved.js';
import { readSecretsFile } from '../pipeline/secrets/secrets-file.js';
import { GitOpsError } from './errors.js';

/** The secrets' values, for GitMirrorOptions. */
export interface RepositoryCredentials {
  /** Token of a private http(s) repository. */
  readonly token?: string;
  /** Private key of an SSH deploy key. */
  readonly sshKey?: string;
  /** known_hosts lines the SSH server's host key must match. */
  readonly knownHosts?: string;
}

/** The credentials `repository` names (none when it names none). */
export function repositoryCredentials(
  repository: ResolvedGitOps['repository'],
  env: Readonly<Record<string, string | undefined>>,
  projectDir: string,
): RepositoryCredentials {
  let file: Record<string, string> | undefined;
  const secret = (name: string | undefined, what: string): string | undefined => {
    if (name === undefined) return undefined;
    file ??= readSecretsFile(join(projectDir, '.slipway', 'secrets.env'));
    const value = env[name] ?? file[name];
    if (value === undefined || value === '')
      throw new GitOpsError(
        'NOT_CONFIGURED',
        `the repository ${what} ${name} is set neither in the environment nor in .slipway/secrets.env`,
      );
    return value;
  };
  const token = secret(repository.token, 'token');
  const sshKey = secret(repository.sshKey, 'SSH key');
  const knownHosts = secret(repository.knownHosts, 'known hosts');
  if (sshKey !== undefined && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(sshKey))
    throw new GitOpsError(
      'NOT_CONFIGURED',
      `the secret ${repository.sshKey} does not hold a private key (expected -----BEGIN OPENSSH PRIVATE KEY----- ...)`,
    );
  return {
    ...(token !== undefined ? { token } : {}),
    ...(sshKey !== undefined ? { sshKey: sshKey.endsWith('\n') ? sshKey : `${sshKey}\n` } : {}),
    ...(knownHosts !== undefined
      ? { knownHosts: knownHosts.endsWith('\n') ? knownHosts : `${knownHosts}\n` }
      : {}),
  };
}
