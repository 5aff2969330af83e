/** Typed errors of the CLI domain. */
import { SlipwayError } from '../errors/slipway-error.js';

/** A mistake in how the command was called. */
export class UsageError extends SlipwayError<'USAGE'> {
  override readonly name = 'UsageError';
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super('USAGE', 'usage', message, options);
  }
}
