/**
 * The contract of a flag service a `featureFlag` rollout drives: Slipway's own flags, or the
 * user's LaunchDarkly, Split, or a command. The rollout moves one variant's share stage by stage
 * and judges the analysis on Slipway's side; the provider only sets the share.
 */

/** What a rollout moves: one flag's variant against a baseline variant. */
export interface FlagRolloutTarget {
  readonly flag: string;
  /** The variant rolled out (LaunchDarkly: a variation's name or value; Split: a treatment). */
  readonly variant: string;
  /** The variant the rest gets; absent: the flag's current default (fallthrough, default treatment). */
  readonly baseline?: string;
}

/** A flag service that can give a variant a share of users. */
export interface FlagProvider {
  /** `slipway`, `launchdarkly`, `split` or `custom`. */
  readonly name: string;
  /**
   * Reads the flag and checks the variant and baseline exist, before the first share is set;
   * rejects with a FlagError (FLAG_UNKNOWN, FLAG_VARIANT_UNKNOWN, FLAG_PROVIDER_FAILED) otherwise.
   * Resolves to the baseline variant it will use, and `settled` when the flag already serves the
   * variant to everyone (a rollout that completed before): then nothing is rolled out.
   */
  prepare(target: FlagRolloutTarget): Promise<{ readonly baseline: string; readonly settled?: boolean }>;
  /** Gives `target.variant` `percent` (0..100) of users and the baseline the rest. */
  setShare(target: FlagRolloutTarget & { readonly baseline: string }, percent: number): Promise<void>;
  /**
   * After the last step (100%), makes the variant the flag's default where the service has such a
   * notion beyond the share (Slipway's own flags); providers whose 100% share is final omit it.
   */
  complete?(target: FlagRolloutTarget & { readonly baseline: string }): Promise<void>;
}
