/** Typed errors of the config domain. */

/** Why a config could not be loaded at all. */
export type ConfigErrorCode = 'CONFIG_NOT_FOUND' | 'CONFIG_UNREADABLE';

/** A config file that cannot be found or read (a usage problem, exit code 2). */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
