/**
 * Slipway's own flags as a rollout provider: each share is a new version of the flag (a flagd
 * `fractional` split of the variant against the baseline, behind the strategy's targeting gate
 * when it has one), published at once to every agent's OFREP. Share 0 brings back the definition
 * the rollout started from; completing makes the variant the default and drops the split.
 */
import { FlagError } from '../../flags/errors.js';
import { assertVariant, flagOf, withRolloutShare } from '../../flags/flag-changes.js';
import type { FlagDefinition, FlagDocument, JsonValue } from '../../flags/flag-document.js';
import type { FlagSnapshot } from '../../flags/flag-engine.js';
import type { FlagProvider, FlagRolloutTarget } from '../../flags/providers/flag-provider.js';
import type { FlagVersions } from '../../flags/versions/flag-versions.js';

/** What the provider is wired with. */
export interface SlipwayFlagProviderOptions {
  readonly versions: FlagVersions;
  /** The flag set's `$evaluators` and metadata (from slipway.yaml). */
  readonly base: Omit<FlagDocument, 'flags'>;
  /** Serves a new snapshot everywhere flags are served (the agents); resolves once they serve it. */
  readonly publish: (snapshot: FlagSnapshot) => Promise<void>;
  readonly actor: string;
  /** The strategy's targeting: only users it matches take part. */
  readonly gate?: JsonValue;
}

type Target = FlagRolloutTarget & { readonly baseline: string };

/** Rolls out a variant of a flag Slipway serves. */
export class SlipwayFlagProvider implements FlagProvider {
  readonly name = 'slipway';
  private original: FlagDefinition | undefined;

  constructor(private readonly options: SlipwayFlagProviderOptions) {}

  async prepare(target: FlagRolloutTarget): Promise<{ baseline: string; settled?: boolean }> {
    const snapshot = await this.options.versions.snapshot(this.options.base);
    const flag = flagOf(snapshot.document, target.flag);
    assertVariant(target.flag, flag, target.variant);
    const last = (await this.options.versions.history(target.flag)).at(-1);
    if (last?.change === 'rollout-complete' && flag.defaultVariant === target.variant)
      return { baseline: target.baseline ?? target.variant, settled: true };
    const baseline = target.baseline ?? flag.defaultVariant ?? undefined;
    if (baseline === undefined)
      throw new FlagError(
        'FLAG_ROLLOUT_INVALID',
        `flag '${target.flag}' has no default variant: name the variant the rest get with \`baseline:\``,
      );
    assertVariant(target.flag, flag, baseline);
    if (baseline === target.variant)
      throw new FlagError(
        'FLAG_ROLLOUT_INVALID',
        `flag '${target.flag}' already serves '${target.variant}' by default: there is nothing to roll out`,
      );
    // A rollout that died half way left its split behind: start again from what it started from.
    this.original = await this.beforeRollouts(target.flag, flag);
    return { baseline };
  }

  async setShare(target: Target, percent: number): Promise<void> {
    const original = this.requireOriginal(target);
    const definition =
      percent <= 0
        ? original
        : withRolloutShare(original, {
            variant: target.variant,
            baseline: target.baseline,
            percent,
            ...(this.options.gate !== undefined ? { gate: this.options.gate } : {}),
          });
    await this.save(target.flag, definition, percent <= 0 ? 'rollout-rollback' : 'rollout', { percent });
  }

  async complete(target: Target): Promise<void> {
    const original = this.requireOriginal(target);
    await this.save(
      target.flag,
      { ...original, state: 'ENABLED', defaultVariant: target.variant },
      'rollout-complete',
      { percent: 100 },
    );
  }

  private async save(
    flag: string,
    definition: FlagDefinition,
    change: 'rollout' | 'rollout-rollback' | 'rollout-complete',
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.options.versions.record(flag, definition, {
      actor: this.options.actor,
      change,
      source: 'rollout',
      details,
    });
    await this.options.publish(await this.options.versions.snapshot(this.options.base));
  }

  private requireOriginal(target: FlagRolloutTarget): FlagDefinition {
    if (!this.original) throw new Error(`flag rollout of '${target.flag}' set a share before prepare`);
    return this.original;
  }

  // The latest version that is not a rollout's split (share above 0), or the current definition.
  private async beforeRollouts(flag: string, current: FlagDefinition): Promise<FlagDefinition> {
    const history = await this.options.versions.history(flag);
    if (history.at(-1)?.change !== 'rollout') return current;
    for (let i = history.length - 1; i >= 0; i--) {
      const v = history[i];
      if (v && v.change !== 'rollout' && v.definition) return v.definition;
    }
    return current;
  }
}
