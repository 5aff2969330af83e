/**
 * Changes to one flag, as pure functions from a flag set to a new definition: the default
 * variant, the state, fractional weights, a whole new definition, and the share a rollout gives a
 * variant. Each refuses bad input (an unknown flag or variant, weights that do not parse) with a
 * FlagError before anything is written, so a refused change changes nothing.
 */
import { FlagError } from './errors.js';
import type { FlagDefinition, FlagDocument, JsonValue } from './flag-document.js';
import { flagDocumentIssues } from './flagd-schema.js';

/** The definition of `key`, or FLAG_UNKNOWN naming the flags there are. */
export function flagOf(doc: FlagDocument, key: string): FlagDefinition {
  const flag = Object.hasOwn(doc.flags, key) ? doc.flags[key] : undefined;
  if (!flag) {
    const keys = Object.keys(doc.flags);
    throw new FlagError(
      'FLAG_UNKNOWN',
      `no flag '${key}'${keys.length ? ` (flags: ${keys.slice(0, 20).join(', ')})` : ' (no flags are defined)'}`,
    );
  }
  return flag;
}

/** Checks that `variant` is one of the flag's variants. */
export function assertVariant(key: string, flag: FlagDefinition, variant: string): void {
  if (!Object.hasOwn(flag.variants, variant))
    throw new FlagError(
      'FLAG_VARIANT_UNKNOWN',
      `flag '${key}' has no variant '${variant}' (variants: ${Object.keys(flag.variants).join(', ')})`,
    );
}

/** The flag serving `variant` by default (`slipway flags set FLAG VARIANT`). */
export function withDefaultVariant(doc: FlagDocument, key: string, variant: string): FlagDefinition {
  const flag = flagOf(doc, key);
  assertVariant(key, flag, variant);
  return { ...flag, defaultVariant: variant };
}

/** The flag enabled or disabled. */
export function withState(doc: FlagDocument, key: string, state: 'ENABLED' | 'DISABLED'): FlagDefinition {
  return { ...flagOf(doc, key), state };
}

/** The largest sum of `fractional` weights flagd buckets by (2^31 - 1). */
const MAX_TOTAL_WEIGHT = 2_147_483_647;

/**
 * Parses weights written `on=5,off=95` (whole numbers, each variant known, at least one above 0)
 * into fractional buckets in the order written.
 */
export function parseWeights(key: string, flag: FlagDefinition, text: string): [string, number][] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0)
    throw new FlagError(
      'FLAG_WEIGHTS_INVALID',
      `weights are written variant=weight,... (e.g. on=5,off=95), got '${text}'`,
    );
  const out: [string, number][] = [];
  for (const part of parts) {
    const m = /^([^=\s]+)\s*=\s*(\d+)$/.exec(part);
    if (!m)
      throw new FlagError(
        'FLAG_WEIGHTS_INVALID',
        `'${part}' is not variant=weight with a whole number weight (e.g. on=5,off=95)`,
      );
    const [, variant, weight] = m as unknown as [string, string, string];
    assertVariant(key, flag, variant);
    if (out.some(([v]) => v === variant))
      throw new FlagError('FLAG_WEIGHTS_INVALID', `variant '${variant}' is weighted twice in '${text}'`);
    out.push([variant, Number(weight)]);
  }
  if (out.every(([, w]) => w === 0))
    throw new FlagError('FLAG_WEIGHTS_INVALID', `at least one weight must be above 0 in '${text}'`);
  // Above this flagd's `fractional` gives up and every user gets the default variant.
  if (out.reduce((sum, [, w]) => sum + w, 0) > MAX_TOTAL_WEIGHT)
    throw new FlagError(
      'FLAG_WEIGHTS_INVALID',
      `the weights in '${text}' add up to more than ${MAX_TOTAL_WEIGHT}, the most flagd's fractional takes`,
    );
  return out;
}

/** The flag splitting users by `fractional` weights (`slipway flags set FLAG --weights on=5,off=95`). */
export function withWeights(doc: FlagDocument, key: string, text: string): FlagDefinition {
  const flag = flagOf(doc, key);
  const weights = parseWeights(key, flag, text);
  return { ...flag, targeting: { fractional: weights } };
}

/**
 * The flag during a rollout: `variant` served to `percent` of users (by flagd's `fractional`
 * bucketing of the targeting key), `baseline` to the rest; with a `gate`, only users it matches
 * take part and the others keep the default variant. The new variant is listed first, so a user
 * who has it keeps it as the share grows.
 */
export function withRolloutShare(
  flag: FlagDefinition,
  share: {
    readonly variant: string;
    readonly baseline: string;
    readonly percent: number;
    readonly gate?: JsonValue;
  },
): FlagDefinition {
  if (!Number.isFinite(share.percent))
    throw new FlagError(
      'FLAG_ROLLOUT_INVALID',
      `a rollout share must be a number of percent, got ${share.percent}`,
    );
  const percent = Math.max(0, Math.min(100, Math.round(share.percent)));
  const fractional: JsonValue = {
    fractional: [
      [share.variant, percent],
      [share.baseline, 100 - percent],
    ],
  };
  const targeting = share.gate === undefined ? fractional : { if: [share.gate, fractional, null] };
  return { ...flag, state: 'ENABLED', targeting: targeting as FlagDefinition['targeting'] & object };
}

/**
 * A flag set with `key` replaced by `flag`, the flag checked against flagd's schema and the set's
 * `$evaluators`. Only the changed flag is checked: another flag the schema has since come to
 * refuse neither blocks the change nor hides what is wrong with this one.
 */
export function withFlag(doc: FlagDocument, key: string, flag: FlagDefinition): FlagDocument {
  const issues = flagDocumentIssues({ ...doc, flags: { [key]: flag } });
  if (issues.length > 0)
    throw new FlagError(
      'FLAG_DEFINITION_INVALID',
      `flag '${key}' would not be a valid flagd definition: ${issues
        .map((i) => `${(i.path[0] === 'flags' ? i.path.slice(2) : i.path).join('.') || key}: ${i.message}`)
        .join('; ')}`,
    );
  return { ...doc, flags: { ...doc.flags, [key]: flag } };
}
