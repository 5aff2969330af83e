/**
 * What a LaunchDarkly rollout reads from a flag, as pure data: its variations, the environment's
 * targeting state and default rule ("fallthrough"), which variation a Slipway variant names, and
 * the rollout weights of a share. The provider (launchdarkly-provider.ts) does the HTTP.
 */
import { FlagError } from '../errors.js';

/** A variation of a flag, as `GET /api/v2/flags/{projectKey}/{featureFlagKey}` lists it. */
export interface LdVariation {
  /** `_id`: what semantic patch instructions name. */
  readonly id: string;
  /** Its place in `variations`: what the fallthrough names. */
  readonly index: number;
  readonly name: string;
  readonly value: unknown;
}

/** The default rule of one environment: one variation, or a percentage rollout. */
export interface LdFallthrough {
  readonly variation?: number;
  readonly rollout?: readonly { readonly variation: number; readonly weight: number }[];
}

/** What a rollout needs of one flag in one environment. */
export interface LdFlagState {
  readonly key: string;
  readonly archived: boolean;
  readonly variations: readonly LdVariation[];
  /** Absent when the flag has no configuration for the environment asked for. */
  readonly environment?: {
    readonly on: boolean;
    readonly archived: boolean;
    readonly fallthrough: LdFallthrough;
  };
}

/** The whole of a rollout in LaunchDarkly's weights: thousandths of a percent. */
export const LD_FULL_WEIGHT = 100_000;

/** Reads a flag representation; throws FLAG_PROVIDER_FAILED when it is not one. */
export function readLdFlag(body: unknown, environment: string): LdFlagState {
  const flag = asRecord(body);
  const variations = Array.isArray(flag?.variations) ? flag.variations : undefined;
  if (flag === undefined || typeof flag.key !== 'string' || variations === undefined)
    throw malformed('the flag has no key or no variations');
  const read = variations.map((raw, index): LdVariation => {
    const variation = asRecord(raw);
    if (variation === undefined || typeof variation._id !== 'string')
      throw malformed(`variation ${index} has no _id`);
    const name = typeof variation.name === 'string' ? variation.name : '';
    return { id: variation._id, index, name, value: variation.value };
  });
  const config = asRecord(asRecord(flag.environments)?.[environment]);
  const state = { key: flag.key, archived: flag.archived === true, variations: read };
  if (config === undefined) return state;
  const fallthrough = asRecord(config.fallthrough) ?? {};
  const rollout = asRecord(fallthrough.rollout);
  const weighted = Array.isArray(rollout?.variations)
    ? rollout.variations.flatMap((raw) => {
        const entry = asRecord(raw);
        return typeof entry?.variation === 'number' && typeof entry.weight === 'number'
          ? [{ variation: entry.variation, weight: entry.weight }]
          : [];
      })
    : undefined;
  return {
    ...state,
    environment: {
      on: config.on === true,
      archived: config.archived === true,
      fallthrough: {
        ...(typeof fallthrough.variation === 'number' ? { variation: fallthrough.variation } : {}),
        ...(weighted === undefined ? {} : { rollout: weighted }),
      },
    },
  };
}

/**
 * The variation `wanted` names: the one with that name, else the one whose value reads as it
 * (`true`, `false`, a string or a number). Throws FLAG_VARIANT_UNKNOWN when none or several do.
 */
export function findVariation(flag: LdFlagState, wanted: string): LdVariation {
  for (const matches of [
    (v: LdVariation) => v.name !== '' && v.name === wanted,
    (v: LdVariation) => valueText(v.value) === wanted,
  ]) {
    const found = flag.variations.filter(matches);
    if (found.length === 1) return found[0]!;
    if (found.length > 1)
      throw new FlagError(
        'FLAG_VARIANT_UNKNOWN',
        `'${wanted}' names ${found.length} variations of LaunchDarkly flag '${flag.key}': ${listed(found)}`,
      );
  }
  throw new FlagError(
    'FLAG_VARIANT_UNKNOWN',
    `LaunchDarkly flag '${flag.key}' has no variation named or valued '${wanted}'; it has ${listed(flag.variations)}`,
  );
}

/**
 * The variation the rest get when the rollout names none: what the default rule serves, or, when
 * it is already a rollout (one that stopped half way), the one variation besides `variant` it
 * gives a share. Throws FLAG_ROLLOUT_INVALID when that is not one variation.
 */
export function fallthroughBaseline(flag: LdFlagState, variant: LdVariation): LdVariation {
  const fallthrough = flag.environment?.fallthrough ?? {};
  let index = fallthrough.variation;
  if (index === undefined && fallthrough.rollout !== undefined) {
    const others = fallthrough.rollout.filter((w) => w.weight > 0 && w.variation !== variant.index);
    if (others.length === 1) index = others[0]!.variation;
  }
  const found = index === undefined ? undefined : flag.variations[index];
  if (found === undefined)
    throw new FlagError(
      'FLAG_ROLLOUT_INVALID',
      `the default rule of LaunchDarkly flag '${flag.key}' does not serve one variation besides '${label(variant)}': ` +
        'name the variation the rest get with `baseline:`',
    );
  return found;
}

/** How a variation is called in messages and in what `prepare` answers: its name, else its value. */
export function label(variation: LdVariation): string {
  return variation.name !== ''
    ? variation.name
    : (valueText(variation.value) ?? JSON.stringify(variation.value));
}

/**
 * The `rolloutWeights` of a share: `thousandths` to the variant, the rest to the baseline, 0 to
 * every other variation, keyed by variation `_id`, in the flag's order.
 */
export function rolloutWeights(
  variations: readonly LdVariation[],
  variant: LdVariation,
  baseline: LdVariation,
  thousandths: number,
): Record<string, number> {
  return Object.fromEntries(
    variations.map((v) => [
      v.id,
      v.id === variant.id ? thousandths : v.id === baseline.id ? LD_FULL_WEIGHT - thousandths : 0,
    ]),
  );
}

function valueText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return undefined;
}

function listed(variations: readonly LdVariation[]): string {
  return variations
    .map((v) => `${v.name === '' ? '(no name)' : v.name} = ${JSON.stringify(v.value)}`)
    .join(', ');
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function malformed(why: string): FlagError {
  return new FlagError(
    'FLAG_PROVIDER_FAILED',
    `LaunchDarkly answered with something that is not a flag: ${why}`,
  );
}
