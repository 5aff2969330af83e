/**
 * LaunchDarkly as a rollout provider, through its REST API v2: `prepare` reads the flag in one
 * environment (`GET /api/v2/flags/{projectKey}/{featureFlagKey}?env=`), `setShare` sets the
 * environment's default rule ("fallthrough") to a percentage rollout of the variant against the
 * baseline with one semantic patch (`PATCH` with `updateFallthroughVariationOrRollout`). Only the
 * default rule moves: targets and targeting rules keep serving what they served. Checked against
 * LaunchDarkly's published OpenAPI description (test/fixtures/launchdarkly-api/README.md).
 */
import { FlagError } from '../errors.js';
import type { FlagProvider, FlagRolloutTarget } from './flag-provider.js';
import {
  fallthroughBaseline,
  findVariation,
  LD_FULL_WEIGHT,
  type LdFlagState,
  type LdVariation,
  label,
  readLdFlag,
  rolloutWeights,
} from './launchdarkly-flag.js';
import {
  callService,
  type FetchLike,
  hintFor,
  refusal,
  type ServiceAnswer,
  type ServiceClientOptions,
  secondsHeader,
  sleepFor,
} from './provider-http.js';
import { shareInUnits } from './share-percent.js';

/** LaunchDarkly's API origin (the federal instance is `https://app.launchdarkly.us`). */
export const LAUNCHDARKLY_BASE_URL = 'https://app.launchdarkly.com';
/** The API version every request asks for, so the token's own version cannot change the answers. */
export const LAUNCHDARKLY_API_VERSION = '20240415';
/** The content type that makes a flag `PATCH` a semantic patch rather than a JSON patch. */
export const SEMANTIC_PATCH_CONTENT_TYPE = 'application/json; domain-model=launchdarkly.semanticpatch';

/** Settings of one LaunchDarkly provider, the token already resolved from its secret. */
export interface LaunchDarklyProviderOptions {
  /** The API's origin; `https://app.launchdarkly.com` when absent. */
  readonly baseUrl?: string;
  /** The project key. */
  readonly project: string;
  /** The environment key whose default rule the rollout moves. */
  readonly environment: string;
  /** A personal or service access token with write access to the flag (sent as is, not as Bearer). */
  readonly token: string;
  /** The context kind a share buckets by; LaunchDarkly's default (`user`) when absent. */
  readonly rolloutContextKind?: string;
  /** The context attribute a share buckets by; LaunchDarkly's default (`key`) when absent. */
  readonly rolloutBucketBy?: string;
  /** Per request; 10 s when absent. */
  readonly timeoutMs?: number;
  /** Further attempts after a 429; 3 when absent. */
  readonly maxRetries?: number;
  /** The longest wait a 429 may ask for; 60 s when absent. */
  readonly maxWaitMs?: number;
  readonly fetch?: FetchLike;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

type Target = FlagRolloutTarget & { readonly baseline: string };

/** Rolls out a variation of a LaunchDarkly flag in one environment. */
export class LaunchDarklyProvider implements FlagProvider {
  readonly name = 'launchdarkly';
  readonly #options: LaunchDarklyProviderOptions;
  readonly #baseUrl: string;
  readonly #client: ServiceClientOptions;
  /** Flags read by this provider: a share names variations by `_id`, which only a read tells. */
  readonly #flags = new Map<string, LdFlagState>();

  constructor(options: LaunchDarklyProviderOptions) {
    this.#options = options;
    this.#baseUrl = (options.baseUrl ?? LAUNCHDARKLY_BASE_URL).replace(/\/+$/, '');
    const now = options.now ?? Date.now;
    this.#client = {
      service: 'LaunchDarkly',
      secrets: [options.token],
      timeoutMs: options.timeoutMs ?? 10_000,
      maxRetries: options.maxRetries ?? 3,
      maxWaitMs: options.maxWaitMs ?? 60_000,
      retryAfterMs: launchDarklyRetryAfter,
      fetch: options.fetch ?? ((url, init) => fetch(url, init)),
      sleep: options.sleep ?? sleepFor,
      now,
    };
  }

  async prepare(target: FlagRolloutTarget): Promise<{ baseline: string }> {
    const flag = await this.#read(target.flag);
    const { environment } = this.#options;
    if (flag.archived || flag.environment?.archived)
      throw new FlagError('FLAG_ROLLOUT_INVALID', `LaunchDarkly flag '${flag.key}' is archived`);
    if (flag.environment === undefined)
      throw new FlagError(
        'FLAG_PROVIDER_FAILED',
        `LaunchDarkly flag '${flag.key}' has no configuration for environment '${environment}': check the environment key`,
      );
    if (!flag.environment.on)
      throw new FlagError(
        'FLAG_ROLLOUT_INVALID',
        `LaunchDarkly flag '${flag.key}' is off in environment '${environment}', so everyone gets its off ` +
          'variation whatever the share: turn its targeting on first',
      );
    const variant = findVariation(flag, target.variant);
    const baseline =
      target.baseline === undefined
        ? fallthroughBaseline(flag, variant)
        : findVariation(flag, target.baseline);
    assertDistinct(flag, variant, baseline);
    return { baseline: target.baseline ?? label(baseline) };
  }

  async setShare(target: Target, percent: number): Promise<void> {
    const thousandths = shareInUnits('LaunchDarkly', percent, LD_FULL_WEIGHT / 100);
    // A provider that did not prepare this flag (Slipway restarted mid-rollout) reads it first.
    const flag = this.#flags.get(target.flag) ?? (await this.#read(target.flag));
    const variant = findVariation(flag, target.variant);
    const baseline = findVariation(flag, target.baseline);
    assertDistinct(flag, variant, baseline);
    const { environment, rolloutContextKind, rolloutBucketBy } = this.#options;
    const rest = (LD_FULL_WEIGHT - thousandths) / 1000;
    const body = {
      environmentKey: environment,
      comment: `Slipway flag rollout: '${target.variant}' ${thousandths / 1000}%, '${target.baseline}' ${rest}%`,
      instructions: [
        {
          kind: 'updateFallthroughVariationOrRollout',
          rolloutWeights: rolloutWeights(flag.variations, variant, baseline, thousandths),
          ...(rolloutContextKind === undefined ? {} : { rolloutContextKind }),
          ...(rolloutBucketBy === undefined ? {} : { rolloutBucketBy }),
        },
      ],
    };
    const action = `setting the default rule of flag '${target.flag}' in environment '${environment}'`;
    const answer = await callService(this.#client, {
      method: 'PATCH',
      url: this.#flagUrl(target.flag),
      headers: { ...this.#headers(), 'content-type': SEMANTIC_PATCH_CONTENT_TYPE },
      body: JSON.stringify(body),
      action,
    });
    if (answer.status >= 200 && answer.status < 300) return;
    throw this.#failure(target.flag, action, answer);
  }

  toJSON(): { name: string; baseUrl: string; project: string; environment: string } {
    return {
      name: this.name,
      baseUrl: this.#baseUrl,
      project: this.#options.project,
      environment: this.#options.environment,
    };
  }

  toString(): string {
    return `LaunchDarklyProvider(${this.#baseUrl}, ${this.#options.project}/${this.#options.environment})`;
  }

  async #read(flagKey: string): Promise<LdFlagState> {
    const action = `reading flag '${flagKey}' of project '${this.#options.project}'`;
    const query = new URLSearchParams({ env: this.#options.environment });
    const answer = await callService(this.#client, {
      method: 'GET',
      url: `${this.#flagUrl(flagKey)}?${query}`,
      headers: this.#headers(),
      action,
    });
    if (answer.status !== 200) throw this.#failure(flagKey, action, answer);
    const flag = readLdFlag(answer.body, this.#options.environment);
    this.#flags.set(flagKey, flag);
    return flag;
  }

  #failure(flagKey: string, action: string, answer: ServiceAnswer): FlagError {
    if (answer.status === 404)
      return new FlagError(
        'FLAG_UNKNOWN',
        `LaunchDarkly has no flag '${flagKey}' in project '${this.#options.project}' (HTTP 404${
          answer.message === '' ? '' : `: ${answer.message}`
        })`,
      );
    const hint =
      answer.status === 405
        ? `environment '${this.#options.environment}' requires approval for flag changes, which Slipway cannot give`
        : hintFor(answer.status, 'LaunchDarkly access token');
    return refusal('LaunchDarkly', action, answer, hint);
  }

  #flagUrl(flagKey: string): string {
    const { project } = this.#options;
    return `${this.#baseUrl}/api/v2/flags/${encodeURIComponent(project)}/${encodeURIComponent(flagKey)}`;
  }

  #headers(): Record<string, string> {
    return {
      authorization: this.#options.token,
      accept: 'application/json',
      'ld-api-version': LAUNCHDARKLY_API_VERSION,
      'user-agent': 'slipway-flags',
    };
  }
}

/**
 * The wait a LaunchDarkly 429 asks for: `Retry-After` (IP-based limits, in seconds), else
 * `X-Ratelimit-Reset` (global and route limits: the epoch milliseconds the window resets at).
 */
export function launchDarklyRetryAfter(headers: Headers, now: number): number | undefined {
  const retryAfter = secondsHeader(headers, 'retry-after');
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(headers.get('x-ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset - now) : undefined;
}

function assertDistinct(flag: LdFlagState, variant: LdVariation, baseline: LdVariation): void {
  if (variant.id === baseline.id)
    throw new FlagError(
      'FLAG_ROLLOUT_INVALID',
      `'${label(variant)}' is both the variant and the baseline of LaunchDarkly flag '${flag.key}': there is nothing to roll out`,
    );
}
