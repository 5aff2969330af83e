/**
 * The version of a service secret: a keyed fingerprint (HMAC-SHA256 under a random per-project key
 * kept in the state folder) of its value, so a revision records which value it runs with, and
 * history shows a rotation, without anything that could be checked against a guessed value
 * outside this project.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../state-files/private-modes.js';
import { PlatformError } from './errors.js';

/** The file of the project's key, in its state folder. */
const KEY_FILE = 'secret-versions.key';

/** The project's key under `stateDir`, made (32 random bytes, owner only) on first use. */
export function secretVersionKey(stateDir: string): Buffer {
  const file = join(stateDir, KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(stateDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    try {
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    } catch (error) {
      // Another deploy made it first: read theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

/** The version of `value` as secret `name`: 12 hex digits of its HMAC. */
export function secretVersion(key: Buffer, name: string, value: string): string {
  return createHmac('sha256', key).update(`${name}\u0000${value}`).digest('hex').slice(0, 12);
}

/** The version of each value under the key of `stateDir`. */
export function secretVersions(
  stateDir: string,
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  const key = secretVersionKey(stateDir);
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, secretVersion(key, name, value)]),
  );
}

/** Reads each of `names` with `read`; throws SECRET_MISSING naming the secrets set nowhere. */
export function readSecretValues(
  service: string,
  names: readonly string[],
  read: (name: string) => string | undefined,
): Record<string, string> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const value = read(name);
    if (value === undefined || value === '') missing.push(name);
    else values[name] = value;
  }
  if (missing.length > 0)
    throw new PlatformError(
      'SECRET_MISSING',
      `service ${service} needs secret(s) ${missing.join(', ')}: set them in the environment or in .slipway/secrets.env`,
    );
  return values;
}
