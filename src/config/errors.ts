/** Typed errors of the config domain. */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why a config could not be loaded at all. */
export type ConfigErrorCode = 'CONFIG_NOT_FOUND' | 'CONFIG_UNREADABLE';

// Whoever names the file must name another one (or fix its permissions). A server reading its own
// config turns these into `unavailable` errors, since there the client is not at fault.
const KINDS: KindTable<ConfigErrorCode> = {
  CONFIG_NOT_FOUND: 'usage',
  CONFIG_UNREADABLE: 'usage',
};

/** A config file that cannot be found or read. */
export class ConfigFileError extends SlipwayError<ConfigErrorCode> {
  override readonly name = 'ConfigFileError';
  constructor(code: ConfigErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
