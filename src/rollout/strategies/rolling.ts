/**
 * Rolling: instances are replaced in batches. Each step first starts new instances (never more
 * than `instances + maxSurge` in all), then stops old ones (never fewer than
 * `instances - maxUnavailable` ready); weights follow the instance counts. A step that cannot
 * start anything before stopping something only stops, and the next one starts. The step that
 * stops the last old instance is the `promote` step; instances still missing then start after it.
 */
import type { ResolvedStrategy } from '../../config/resolved.js';
import { batchCount, resolveFenceposts } from '../rolling-math.js';
import type { RolloutStep } from '../rollout-step.js';
import { checkActions, counts, round, type StrategyInput, shares, step } from './steps.js';

type Rolling = Extract<ResolvedStrategy, { kind: 'rolling' }>;

/** Steps of a rolling update from a stable revision (hooks are added by planRollout). */
export function planRolling(strategy: Rolling, input: StrategyInput): RolloutStep[] {
  const { stable, next, instances: N } = input;
  const { surge, unavailable } = resolveFenceposts(N, strategy.maxSurge, strategy.maxUnavailable);
  const maxTotal = N + surge;
  const minReady = Math.max(0, N - unavailable);
  const batch = batchCount(strategy.batchSize, N);
  const checks = checkActions(input.checks);
  const hold = { durationMs: strategy.batchIntervalMs, analyze: strategy.metrics.length > 0 };
  // Once the old instances are gone the new revision has all traffic, even before its own are up
  // (only when maxUnavailable allows every instance to be down); the router holds requests meanwhile.
  const proportional = (s: number, n: number) =>
    s === 0 ? { [next]: 100 } : shares(stable, s, next, n === 0 ? 0 : round((100 * n) / (s + n)));
  const steps: RolloutStep[] = [];
  let s = stable.instances;
  let n = 0;
  while (s > 0 || n < N) {
    const up = Math.max(0, Math.min(N - n, maxTotal - (s + n), batch));
    if (up > 0 && n === 0 && checks.length > 0) {
      // The first new instances are checked before they get traffic, so nothing stops meanwhile.
      n = up;
      checks.forEach((action, i) => {
        const last = i === checks.length - 1;
        steps.push(step(action, proportional(s, last ? n : 0), counts(stable, s, next, n), last ? hold : {}));
      });
      continue;
    }
    const down = Math.max(0, Math.min(s, s + n + up - minReady, batch));
    if (up === 0 && down === 0) throw new Error(`rolling update stuck at ${s} old and ${n} new instances`);
    n += up;
    s -= down;
    // The step that stops the last old instance gives the new revision all traffic: it promotes.
    const action = s === 0 && down > 0 ? 'promote' : up > 0 ? 'scaleUp' : 'scaleDown';
    steps.push(step(action, proportional(s, n), counts(stable, s, next, n), s > 0 && n > 0 ? hold : {}));
  }
  return steps;
}
