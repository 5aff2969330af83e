/**
 * Cross-field rules of `strategy.featureFlag`: stages whose shares grow, the settings of the
 * chosen provider and no other's, a targeting gate flagd's JsonLogic accepts, and, with Slipway's
 * own provider, a flag declared under `flags:` with the variants named.
 */
import type { FlagDocument } from '../flags/flag-document.js';
import { flagDocumentIssues } from '../flags/flagd-schema.js';
import type { ConfigOutput } from './config-schema.js';
import type { ConfigPath, Diagnostic } from './diagnostic.js';
import { type FeatureFlagOutput, PROVIDER_SETTINGS } from './flag-strategy-schema.js';
import { flagIssuePlace, type LoadedFlags } from './load-flags.js';
import { ruleDiagnostics } from './rule-diagnostics.js';
import type { ConfigSource, Position } from './source.js';
import type { StrategyOutput } from './strategy-schema.js';
import { didYouMean } from './suggest.js';

type ErrorAt = (path: ConfigPath, message: string, at?: Position) => void;

/** The rules of one `featureFlag` strategy at `path` that need nothing outside it. */
export function checkFlagStrategy(
  path: ConfigPath,
  strategy: FeatureFlagOutput,
  source: ConfigSource,
  error: ErrorAt,
): void {
  strategy.stages.forEach((stage, i) => {
    const at: ConfigPath = [...path, 'stages', i, 'traffic'];
    const before = strategy.stages[i - 1]?.traffic;
    if (stage.traffic <= 0) error(at, 'a stage gives the variant some users: use more than 0%');
    else if (before === 100) error(at, 'no stage can follow a stage at 100%');
    else if (before !== undefined && stage.traffic <= before)
      error(at, `each stage needs a larger share than the one before (${before}%), got ${stage.traffic}%`);
    // flagd's fractional weights and Split's bucket sizes are whole percents.
    else if (!Number.isInteger(stage.traffic) && strategy.provider !== 'launchdarkly')
      error(at, `provider \`${strategy.provider}\` takes whole percents, got ${stage.traffic}%`);
  });
  if (strategy.targeting !== undefined && strategy.provider !== 'slipway')
    error(
      [...path, 'targeting'],
      `\`targeting\` gates Slipway's own flags only; with \`provider: ${strategy.provider}\` set who takes part in the flag service itself`,
      source.keyAt([...path, 'targeting']),
    );
  for (const settings of PROVIDER_SETTINGS) {
    if (strategy.provider === settings && strategy[settings] === undefined)
      error(
        [...path, 'provider'],
        `provider \`${settings}\` needs its settings: add \`${settings}:\` beside \`provider\``,
      );
    if (strategy.provider !== settings && strategy[settings] !== undefined)
      error(
        [...path, settings],
        `\`${settings}\` settings apply to \`provider: ${settings}\` only (this strategy's provider is \`${strategy.provider}\`)`,
        source.keyAt([...path, settings]),
      );
  }
  if (strategy.baseline !== undefined && strategy.baseline === strategy.variant)
    error(
      [...path, 'baseline'],
      `the baseline is the variant rolled out ('${strategy.variant}'): the other users need another variant`,
    );
}

/**
 * The rules of every `featureFlag` strategy that need the flag set: its targeting checked as
 * flagd's JsonLogic (a `$ref` names one of the `$evaluators`), and with the `slipway` provider a
 * flag of `flags:` and variants of it. `flags` is undefined when there is no `flags:` section.
 */
export function checkFlagReferences(
  config: ConfigOutput,
  flags: LoadedFlags | undefined,
  source: ConfigSource,
): Diagnostic[] {
  const { out, error } = ruleDiagnostics(source);
  const doc = flags?.resolved.document;
  const check = (path: ConfigPath, strategy: StrategyOutput | undefined): void => {
    const ff = strategy?.featureFlag;
    if (!ff) return;
    const at: ConfigPath = [...path, 'featureFlag'];
    if (ff.targeting !== undefined) checkTargeting([...at, 'targeting'], ff.targeting, doc, source, error);
    if (ff.provider !== 'slipway') return;
    if (!flags || !doc) {
      error(
        [...at, 'flag'],
        `no flag '${ff.flag}': the config has no \`flags:\` section (declare the flag there, or choose another \`provider\`)`,
      );
      return;
    }
    const flag = Object.hasOwn(doc.flags, ff.flag) ? doc.flags[ff.flag] : undefined;
    if (!flag) {
      const keys = Object.keys(doc.flags);
      if (flags.complete)
        error(
          [...at, 'flag'],
          `no flag '${ff.flag}' under \`flags:\`${didYouMean(ff.flag, keys)} (flags: ${keys.join(', ') || 'none'})`,
        );
      return;
    }
    const variants = flag.variants as unknown;
    if (typeof variants !== 'object' || variants === null || Array.isArray(variants)) return;
    const names = Object.keys(variants);
    for (const key of ['variant', 'baseline'] as const) {
      const name = ff[key];
      if (name !== undefined && !names.includes(name))
        error(
          [...at, key],
          `flag '${ff.flag}' has no variant '${name}'${didYouMean(name, names)} (variants: ${names.join(', ')})`,
        );
    }
  };
  for (const [name, env] of Object.entries(config.environments))
    check(['environments', name, 'strategy'], env.strategy);
  for (const [id, service] of Object.entries(config.services))
    for (const [env, override] of Object.entries(service.deploy ?? {}))
      check(['services', id, 'deploy', env, 'strategy'], override.strategy);
  return out;
}

// The gate is a JsonLogic rule like a flag's targeting: checked as one, in a flag of its own.
function checkTargeting(
  path: ConfigPath,
  targeting: Record<string, unknown>,
  doc: FlagDocument | undefined,
  source: ConfigSource,
  error: ErrorAt,
): void {
  const evaluators = Object.fromEntries(Object.keys(doc?.$evaluators ?? {}).map((name) => [name, {}]));
  const probe = {
    flags: { gate: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on', targeting } },
    ...(Object.keys(evaluators).length > 0 ? { $evaluators: evaluators } : {}),
  };
  for (const issue of flagDocumentIssues(probe)) {
    const inside = issue.path.slice(3);
    const { path: shown, key } = flagIssuePlace(targeting, { path: inside, message: issue.message });
    const full = [...path, ...shown];
    error(full, issue.message, key ? source.keyAt(full) : source.valueAt(full));
  }
}
