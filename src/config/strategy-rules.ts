/**
 * Cross-field rules of the deployment settings of environments and `services.<id>.deploy.<env>`:
 * one strategy kind, canary stages and blue-green steps that grow, rolling limits that let an
 * update start, and overrides that name a known environment; the feature flag strategy's own
 * rules are in flag-strategy-rules.ts.
 */
import type { ConfigOutput } from './config-schema.js';
import type { ConfigPath, Diagnostic } from './diagnostic.js';
import { checkFlagStrategy } from './flag-strategy-rules.js';
import type { ConfigSource, Position } from './source.js';
import { STRATEGY_KINDS, type StrategyOutput } from './strategy-schema.js';
import { didYouMean } from './suggest.js';

/** Runs the strategy rules and returns their errors. */
export function checkStrategyRules(config: ConfigOutput, source: ConfigSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error = (path: ConfigPath, message: string, at: Position = source.valueAt(path)): void => {
    out.push({ severity: 'error', path, message, ...at });
  };
  const checkStrategy = (path: ConfigPath, strategy: StrategyOutput | undefined): void => {
    if (!strategy) return;
    const kinds = STRATEGY_KINDS.filter((k) => strategy[k] !== undefined);
    if (kinds.length === 0)
      error(
        path,
        'a strategy needs one of `canary`, `blueGreen`, `rolling` or `featureFlag`',
        source.keyAt(path),
      );
    if (kinds.length > 1)
      error(
        [...path, kinds[1]!],
        `a strategy has one of \`canary\`, \`blueGreen\`, \`rolling\` or \`featureFlag\`, not both \`${kinds[0]}\` and \`${kinds[1]}\``,
        source.keyAt([...path, kinds[1]!]),
      );
    strategy.canary?.stages.forEach((stage, i) => {
      const at: ConfigPath = [...path, 'canary', 'stages', i, 'traffic'];
      const before = strategy.canary?.stages[i - 1]?.traffic;
      if (stage.traffic <= 0)
        error(at, 'a canary stage sends the new revision some traffic: use more than 0%');
      else if (before === 100) error(at, 'no stage can follow a stage at 100%');
      else if (before !== undefined && stage.traffic <= before)
        error(at, `each stage needs more traffic than the one before (${before}%), got ${stage.traffic}%`);
    });
    strategy.blueGreen?.steps.forEach((step, i) => {
      const at: ConfigPath = [...path, 'blueGreen', 'steps', i];
      const before = strategy.blueGreen?.steps[i - 1];
      if (step <= 0) error(at, 'a gradual step sends the new revision some traffic: use more than 0%');
      else if (before !== undefined && step <= before)
        error(at, `each step needs more traffic than the one before (${before}%), got ${step}%`);
    });
    if (strategy.featureFlag)
      checkFlagStrategy([...path, 'featureFlag'], strategy.featureFlag, source, error);
    const rolling = strategy.rolling;
    if (rolling) {
      if (rolling.batchSize.value === 0)
        error([...path, 'rolling', 'batchSize'], 'a batch replaces at least one instance: use 1 or more');
      if (rolling.maxSurge.value === 0 && rolling.maxUnavailable.value === 0)
        error(
          [...path, 'rolling', 'maxSurge'],
          '`maxSurge` and `maxUnavailable` cannot both be 0: no instance could ever be replaced (allow 1 of either)',
        );
    }
  };

  const envNames = Object.keys(config.environments);
  for (const [name, env] of Object.entries(config.environments))
    checkStrategy(['environments', name, 'strategy'], env.strategy);
  for (const [id, service] of Object.entries(config.services)) {
    for (const [env, override] of Object.entries(service.deploy ?? {})) {
      const path: ConfigPath = ['services', id, 'deploy', env];
      if (envNames.length > 0 && !envNames.includes(env))
        error(
          path,
          `unknown environment '${env}'${didYouMean(env, envNames) || ` (environments: ${envNames.join(', ')})`}`,
          source.keyAt(path),
        );
      checkStrategy([...path, 'strategy'], override.strategy);
    }
  }
  return out;
}
