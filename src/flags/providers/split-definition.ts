/**
 * What a Split (Harness FME) rollout reads from a feature flag definition in one environment, as
 * pure data: its treatments, whether it is killed, its default rule (percentage buckets for the
 * traffic no targeting rule matches) and default treatment; and the default rule of a share. The
 * provider (split-provider.ts) does the HTTP.
 */
import { FlagError } from '../errors.js';

/** One bucket of a rule: a treatment and its percent. */
export interface SplitBucket {
  readonly treatment: string;
  readonly size: number;
}

/** What a rollout needs of one definition. */
export interface SplitDefinitionState {
  readonly name: string;
  readonly killed: boolean;
  readonly treatments: readonly string[];
  readonly defaultTreatment: string;
  readonly defaultRule: readonly SplitBucket[];
}

/** Reads a definition as the Admin API answers it; throws FLAG_PROVIDER_FAILED when it is not one. */
export function readSplitDefinition(body: unknown, flag: string): SplitDefinitionState {
  const definition = asRecord(body);
  if (definition === undefined || !Array.isArray(definition.treatments))
    throw malformed(flag, 'it has no treatments');
  const treatments = definition.treatments.flatMap((raw) => {
    const name = asRecord(raw)?.name;
    return typeof name === 'string' ? [name] : [];
  });
  const defaultRule = Array.isArray(definition.defaultRule)
    ? definition.defaultRule.flatMap((raw) => {
        const bucket = asRecord(raw);
        return typeof bucket?.treatment === 'string' && typeof bucket.size === 'number'
          ? [{ treatment: bucket.treatment, size: bucket.size }]
          : [];
      })
    : [];
  return {
    name: typeof definition.name === 'string' ? definition.name : flag,
    killed: definition.killed === true,
    treatments,
    defaultTreatment: typeof definition.defaultTreatment === 'string' ? definition.defaultTreatment : '',
    defaultRule,
  };
}

/** Throws FLAG_VARIANT_UNKNOWN unless `treatment` is one of the definition's. */
export function assertTreatment(
  definition: SplitDefinitionState,
  treatment: string,
  environment: string,
): void {
  if (!definition.treatments.includes(treatment))
    throw new FlagError(
      'FLAG_VARIANT_UNKNOWN',
      `Split feature flag '${definition.name}' has no treatment '${treatment}' in environment '${environment}'; ` +
        `it has ${definition.treatments.map((t) => `'${t}'`).join(', ')}`,
    );
}

/**
 * The treatment the rest get when the rollout names none: the one treatment besides `variant`
 * the default rule serves (all of it, or a share left by a rollout that stopped half way); else
 * the default treatment, Split's "safest" one. Throws FLAG_ROLLOUT_INVALID when neither will do.
 */
export function splitBaseline(definition: SplitDefinitionState, variant: string): string {
  const served = definition.defaultRule.filter((b) => b.size > 0 && b.treatment !== variant);
  if (served.length === 1) return served[0]!.treatment;
  if (definition.defaultTreatment !== '' && definition.defaultTreatment !== variant)
    return definition.defaultTreatment;
  throw new FlagError(
    'FLAG_ROLLOUT_INVALID',
    `the default rule of Split feature flag '${definition.name}' does not serve one treatment besides '${variant}': ` +
      'name the treatment the rest get with `baseline:`',
  );
}

/**
 * The default rule of a share: the variant's bucket and the baseline's, each left out at size 0
 * (Split's documented rules list only the treatments they serve, and their sizes total 100).
 */
export function defaultRuleFor(variant: string, baseline: string, percent: number): SplitBucket[] {
  return [
    { treatment: variant, size: percent },
    { treatment: baseline, size: 100 - percent },
  ].filter((bucket) => bucket.size > 0);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function malformed(flag: string, why: string): FlagError {
  return new FlagError(
    'FLAG_PROVIDER_FAILED',
    `Split answered with something that is not the definition of feature flag '${flag}': ${why}`,
  );
}
