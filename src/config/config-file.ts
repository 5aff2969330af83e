/** Finds the config file of a project: cheap, so commands that only need the project folder stay fast. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigFileError } from './errors.js';

/** The config file to use: the given one, else ./slipway.yaml, else ./slipway.yml. */
export function findConfigFile(cwd: string, file?: string): string {
  if (file !== undefined) return resolve(cwd, file);
  for (const name of ['slipway.yaml', 'slipway.yml']) {
    const candidate = resolve(cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new ConfigFileError(
    'CONFIG_NOT_FOUND',
    `no slipway.yaml or slipway.yml in ${cwd} (run \`slipway init\` or pass -f FILE)`,
  );
}
