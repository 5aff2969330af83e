/**
 * The flag services a `featureFlag` strategy can drive besides Slipway's own flags, built from
 * the strategy's settings with their tokens read from the secrets they name: LaunchDarkly, Split,
 * or a command. A secret that is set nowhere is an error before any call is made.
 */
import type { ResolvedFeatureFlagStrategy } from '../../config/resolved-strategy.js';
import { FlagError } from '../../flags/errors.js';
import { CustomProvider } from '../../flags/providers/custom-provider.js';
import type { FlagProvider } from '../../flags/providers/flag-provider.js';
import { LaunchDarklyProvider } from '../../flags/providers/launchdarkly-provider.js';
import { SplitProvider } from '../../flags/providers/split-provider.js';

/** What building a provider needs besides the strategy. */
export interface ExternalProviderContext {
  readonly projectDir: string;
  readonly secret: (name: string) => string | undefined;
}

/** The provider of a strategy whose `provider` is launchdarkly, split or custom. */
export function externalFlagProvider(
  strategy: ResolvedFeatureFlagStrategy,
  context: ExternalProviderContext,
): FlagProvider {
  const token = (name: string, what: string): string => {
    const value = context.secret(name);
    if (value === undefined || value === '')
      throw new FlagError(
        'FLAG_ROLLOUT_INVALID',
        `the ${what} ${name} is set neither in the environment nor in .slipway/secrets.env`,
      );
    return value;
  };
  switch (strategy.provider) {
    case 'launchdarkly': {
      const ld = settings(strategy, 'launchdarkly');
      return new LaunchDarklyProvider({
        baseUrl: ld.baseUrl,
        project: ld.project,
        environment: ld.environment,
        token: token(ld.token, 'LaunchDarkly access token'),
      });
    }
    case 'split': {
      const split = settings(strategy, 'split');
      return new SplitProvider({
        baseUrl: split.baseUrl,
        workspace: split.workspace,
        environment: split.environment,
        token: token(split.token, 'Split Admin API key'),
      });
    }
    case 'custom': {
      const custom = settings(strategy, 'custom');
      return new CustomProvider({
        command: custom.command,
        cwd: context.projectDir,
        timeoutMs: custom.timeoutMs,
      });
    }
    default:
      throw new FlagError('FLAG_ROLLOUT_INVALID', `'${strategy.provider}' is not an external flag service`);
  }
}

// The config rules require each provider's settings; a strategy built by hand may lack them.
function settings<K extends 'launchdarkly' | 'split' | 'custom'>(
  strategy: ResolvedFeatureFlagStrategy,
  key: K,
): NonNullable<ResolvedFeatureFlagStrategy[K]> {
  const value = strategy[key];
  if (!value) throw new FlagError('FLAG_ROLLOUT_INVALID', `provider ${key} needs its \`${key}:\` settings`);
  return value as NonNullable<ResolvedFeatureFlagStrategy[K]>;
}
