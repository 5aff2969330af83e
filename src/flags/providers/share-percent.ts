/** The share a rollout asks a provider for, checked against what the provider's service can express. */
import { FlagError } from '../errors.js';

/**
 * `percent` in the service's units, `unitsPerPercent` to the percent (LaunchDarkly weighs in
 * thousandths of a percent: 1000; Split in whole percents: 1). Throws FLAG_WEIGHTS_INVALID when
 * the share is outside 0..100 or finer than the service can serve, rather than round it silently.
 */
export function shareInUnits(service: string, percent: number, unitsPerPercent: number): number {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100)
    throw new FlagError('FLAG_WEIGHTS_INVALID', `a share must be between 0 and 100 percent, not ${percent}`);
  const units = Math.round(percent * unitsPerPercent);
  // Compared with a tolerance: 0.1 * 1000 is 100.00000000000001 in floating point.
  if (Math.abs(units - percent * unitsPerPercent) > 1e-6)
    throw new FlagError(
      'FLAG_WEIGHTS_INVALID',
      `${service} cannot serve ${percent}%: its shares are in steps of ${1 / unitsPerPercent}%`,
    );
  return units;
}
