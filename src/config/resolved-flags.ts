// The resolved form of `flags:`: the declared flag set and where agents serve it.
import type { FlagDocument } from '../flags/flag-document.js';
/** The feature flags slipway.yaml declares, and where agents serve them. */
export interface ResolvedFlags {
  /** The flag set declared: the inline `flags.flags` and every file of `flags.sources`, merged. */
  readonly document: FlagDocument;
  /** Where each host's agent serves OFREP. */
  readonly ofrep: { readonly host: string; readonly port: number };
  /** For each flag, the file that declares it, relative to the config file's directory. */
  readonly declaredIn: Readonly<Record<string, string>>;
}
