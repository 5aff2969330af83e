/** What one flag version changed against the one before, in a few words each, for `slipway flags history`. */
import { isDeepStrictEqual } from 'node:util';
import type { FlagDefinition, JsonValue } from '../../flags/flag-document.js';

/** The longest JSON a diff line quotes before cutting it short. */
const MAX_JSON = 60;

/** A JSON value written short: whole when small, cut with `...` otherwise. */
function short(value: JsonValue | undefined): string {
  const text = JSON.stringify(value ?? null);
  return text.length <= MAX_JSON ? text : `${text.slice(0, MAX_JSON - 3)}...`;
}

/** `on=5,off=95` when targeting is a bare `fractional` split of variants, else undefined. */
export function weightsOf(targeting: FlagDefinition['targeting']): string | undefined {
  if (!targeting || Object.keys(targeting).length !== 1) return undefined;
  const buckets = targeting.fractional;
  if (!Array.isArray(buckets)) return undefined;
  const parts: string[] = [];
  for (const bucket of buckets) {
    if (!Array.isArray(bucket) || bucket.length !== 2) return undefined;
    const [variant, weight] = bucket;
    if (typeof variant !== 'string' || typeof weight !== 'number') return undefined;
    parts.push(`${variant}=${weight}`);
  }
  return parts.join(',');
}

/** How targeting reads in a diff: the weights, or short JSON. */
function targetingText(targeting: FlagDefinition['targeting']): string {
  if (targeting === undefined || Object.keys(targeting).length === 0) return 'none';
  const weights = weightsOf(targeting);
  return weights === undefined ? short(targeting as JsonValue) : `weights ${weights}`;
}

const variantName = (v: string | null | undefined) => v ?? 'none';

/**
 * The differences from `before` to `after` (null: the flag did not exist, or was removed), one
 * short line each; `['no change']` when they are equal.
 */
export function describeFlagDiff(before: FlagDefinition | null, after: FlagDefinition | null): string[] {
  if (before === null && after === null) return ['no change'];
  if (after === null) return ['removed'];
  if (before === null) {
    const weights = weightsOf(after.targeting);
    return [
      `created: ${after.state}, default ${variantName(after.defaultVariant)}, variants ${Object.keys(after.variants).join(', ')}${weights ? `, weights ${weights}` : after.targeting ? ', with targeting' : ''}`,
    ];
  }
  const lines: string[] = [];
  if (before.state !== after.state) lines.push(`state ${before.state} -> ${after.state}`);
  if ((before.defaultVariant ?? null) !== (after.defaultVariant ?? null))
    lines.push(`default ${variantName(before.defaultVariant)} -> ${variantName(after.defaultVariant)}`);
  for (const [name, value] of Object.entries(after.variants)) {
    if (!Object.hasOwn(before.variants, name)) lines.push(`variant ${name} added: ${short(value)}`);
    else if (!isDeepStrictEqual(before.variants[name], value))
      lines.push(`variant ${name}: ${short(before.variants[name])} -> ${short(value)}`);
  }
  for (const name of Object.keys(before.variants))
    if (!Object.hasOwn(after.variants, name)) lines.push(`variant ${name} removed`);
  if (!isDeepStrictEqual(before.targeting ?? {}, after.targeting ?? {}))
    lines.push(`targeting ${targetingText(before.targeting)} -> ${targetingText(after.targeting)}`);
  if (!isDeepStrictEqual(before.metadata ?? {}, after.metadata ?? {}))
    lines.push(
      `metadata ${short((before.metadata ?? {}) as JsonValue)} -> ${short((after.metadata ?? {}) as JsonValue)}`,
    );
  return lines.length > 0 ? lines : ['no change'];
}
