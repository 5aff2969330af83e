/** The rules every platform applies to a traffic change, so they answer a bad request alike. */
import { PlatformError } from './errors.js';
import type { ServiceRef, TrafficSpec } from './platform.js';

/**
 * Throws unless `spec` names only revisions that `runs` (weight 0 for one that does not is
 * ignored), each weight is 0..100 and they add up to 100 (or all are 0).
 */
export function checkTraffic(ref: ServiceRef, spec: TrafficSpec, runs: (revision: string) => boolean): void {
  let total = 0;
  for (const [id, weight] of Object.entries(spec.weights)) {
    if (weight === 0 && !runs(id)) continue;
    if (!runs(id)) {
      throw new PlatformError(
        'REVISION_NOT_FOUND',
        `${ref.service} in ${ref.env} does not run revision ${id}`,
      );
    }
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
      throw new PlatformError('BAD_REQUEST', `weight of ${id} must be from 0 to 100, got ${weight}`);
    }
    total += weight;
  }
  if (total !== 0 && Math.abs(total - 100) > 0.001) {
    throw new PlatformError('BAD_REQUEST', `weights must add up to 100, got ${total}`);
  }
}
