/**
 * The token of a private repository, named in `gitops.repository.token` and read as job secrets
 * are: from the environment, else from `.slipway/secrets.env`. A named secret that is set nowhere
 * is an error before anything is fetched.
 */
import { join } from 'node:path';
import type { ResolvedGitOps } from '../config/resolved.js';
import { readSecretsFile } from '../pipeline/secrets/secrets-file.js';
import { GitOpsError } from './errors.js';

/** The token's value, or undefined when the repository names none. */
export function repositoryToken(
  repository: ResolvedGitOps['repository'],
  env: Readonly<Record<string, string | undefined>>,
  projectDir: string,
): string | undefined {
  const name = repository.token;
  if (name === undefined) return undefined;
  const value = env[name] ?? readSecretsFile(join(projectDir, '.slipway', 'secrets.env'))[name];
  if (value === undefined || value === '')
    throw new GitOpsError(
      'NOT_CONFIGURED',
      `the repository token ${name} is set neither in the environment nor in .slipway/secrets.env`,
    );
  return value;
}
