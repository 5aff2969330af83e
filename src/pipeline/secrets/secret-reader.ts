/** A secret by name as jobs read them: the environment, else `.slipway/secrets.env` (read once, when first needed). */
import { join } from 'node:path';
import { readSecretsFile } from './secrets-file.js';

/** The reader of `projectDir`'s secrets over `env`; undefined for a secret set nowhere. */
export function secretReader(
  env: Readonly<Record<string, string | undefined>>,
  projectDir: string,
): (name: string) => string | undefined {
  let file: Record<string, string> | undefined;
  return (name) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    file ??= readSecretsFile(join(projectDir, '.slipway', 'secrets.env'));
    return file[name];
  };
}
