/**
 * Split (Harness FME) as a rollout provider, through its Admin API v2: `prepare` reads the
 * feature flag's definition in one environment (`GET .../splits/ws/{wsId}/{name}/environments/{env}`),
 * `setShare` replaces the definition's default rule with the variant's and the baseline's buckets
 * through the documented partial update (`PATCH` of the same path with a JSON Patch). Targeting
 * rules and individual targets keep serving what they served. Split publishes no machine-readable
 * API description: what this was checked against is in test/fixtures/split-admin-api/README.md.
 */
import { FlagError } from '../errors.js';
import type { FlagProvider, FlagRolloutTarget } from './flag-provider.js';
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
import {
  assertTreatment,
  defaultRuleFor,
  readSplitDefinition,
  type SplitDefinitionState,
  splitBaseline,
} from './split-definition.js';

/** Split's Admin API origin. */
export const SPLIT_BASE_URL = 'https://api.split.io';

/** Settings of one Split provider, the Admin API key already resolved from its secret. */
export interface SplitProviderOptions {
  /** The Admin API's origin; `https://api.split.io` when absent. */
  readonly baseUrl?: string;
  /** The workspace (project) id. */
  readonly workspace: string;
  /** The environment id or name whose definition the rollout moves. */
  readonly environment: string;
  /** An Admin API key that may edit feature flags in the environment (sent as Bearer). */
  readonly token: string;
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

/** The title of every change Slipway makes (workspaces may require one). */
const CHANGE_TITLE = 'Slipway flag rollout';

/** Rolls out a treatment of a Split feature flag in one environment. */
export class SplitProvider implements FlagProvider {
  readonly name = 'split';
  readonly #options: SplitProviderOptions;
  readonly #baseUrl: string;
  readonly #client: ServiceClientOptions;

  constructor(options: SplitProviderOptions) {
    this.#options = options;
    this.#baseUrl = (options.baseUrl ?? SPLIT_BASE_URL).replace(/\/+$/, '');
    this.#client = {
      service: 'Split',
      secrets: [options.token],
      timeoutMs: options.timeoutMs ?? 10_000,
      maxRetries: options.maxRetries ?? 3,
      maxWaitMs: options.maxWaitMs ?? 60_000,
      retryAfterMs: splitRetryAfter,
      fetch: options.fetch ?? ((url, init) => fetch(url, init)),
      sleep: options.sleep ?? sleepFor,
      now: options.now ?? Date.now,
    };
  }

  async prepare(target: FlagRolloutTarget): Promise<{ baseline: string }> {
    const definition = await this.#read(target.flag);
    const { environment } = this.#options;
    if (definition.killed)
      throw new FlagError(
        'FLAG_ROLLOUT_INVALID',
        `Split feature flag '${target.flag}' is killed in environment '${environment}', so everyone gets its ` +
          'default treatment whatever the share: restore it first',
      );
    assertTreatment(definition, target.variant, environment);
    const baseline = target.baseline ?? splitBaseline(definition, target.variant);
    assertTreatment(definition, baseline, environment);
    if (baseline === target.variant)
      throw new FlagError(
        'FLAG_ROLLOUT_INVALID',
        `'${baseline}' is both the variant and the baseline of Split feature flag '${target.flag}': there is nothing to roll out`,
      );
    return { baseline };
  }

  async setShare(target: Target, percent: number): Promise<void> {
    const size = shareInUnits('Split', percent, 1);
    if (target.baseline === target.variant)
      throw new FlagError('FLAG_ROLLOUT_INVALID', `'${target.variant}' is both the variant and the baseline`);
    const patch = [
      { op: 'replace', path: '/defaultRule', value: defaultRuleFor(target.variant, target.baseline, size) },
    ];
    const query = new URLSearchParams({
      title: CHANGE_TITLE,
      comment: `'${target.variant}' ${size}%, '${target.baseline}' ${100 - size}%`,
    });
    const action = `setting the default rule of feature flag '${target.flag}' in environment '${this.#options.environment}'`;
    const answer = await callService(this.#client, {
      method: 'PATCH',
      url: `${this.#definitionUrl(target.flag)}?${query}`,
      headers: { ...this.#headers(), 'content-type': 'application/json' },
      body: JSON.stringify(patch),
      action,
    });
    if (answer.status >= 200 && answer.status < 300) return;
    throw this.#failure(target.flag, action, answer);
  }

  toJSON(): { name: string; baseUrl: string; workspace: string; environment: string } {
    return {
      name: this.name,
      baseUrl: this.#baseUrl,
      workspace: this.#options.workspace,
      environment: this.#options.environment,
    };
  }

  toString(): string {
    return `SplitProvider(${this.#baseUrl}, ${this.#options.workspace}/${this.#options.environment})`;
  }

  async #read(flag: string): Promise<SplitDefinitionState> {
    const action = `reading the definition of feature flag '${flag}' in environment '${this.#options.environment}'`;
    const answer = await callService(this.#client, {
      method: 'GET',
      url: this.#definitionUrl(flag),
      headers: this.#headers(),
      action,
    });
    if (answer.status !== 200) throw this.#failure(flag, action, answer);
    return readSplitDefinition(answer.body, flag);
  }

  #failure(flag: string, action: string, answer: ServiceAnswer): FlagError {
    if (answer.status === 404)
      return new FlagError(
        'FLAG_UNKNOWN',
        `Split has no feature flag '${flag}' defined in environment '${this.#options.environment}' of workspace ` +
          `'${this.#options.workspace}' (HTTP 404${answer.message === '' ? '' : `: ${answer.message}`})`,
      );
    return refusal('Split', action, answer, hintFor(answer.status, 'Split Admin API key'));
  }

  #definitionUrl(flag: string): string {
    const { workspace, environment } = this.#options;
    return `${this.#baseUrl}/internal/api/v2/splits/ws/${encodeURIComponent(workspace)}/${encodeURIComponent(
      flag,
    )}/environments/${encodeURIComponent(environment)}`;
  }

  #headers(): Record<string, string> {
    return {
      authorization: `Bearer ${this.#options.token}`,
      accept: 'application/json',
      'user-agent': 'slipway-flags',
    };
  }
}

/**
 * The wait a Split 429 asks for: the longer of `X-RateLimit-Reset-Seconds-Org` and
 * `X-RateLimit-Reset-Seconds-IP`, as Split's API introduction says; else `Retry-After`.
 */
export function splitRetryAfter(headers: Headers): number | undefined {
  const waits = ['x-ratelimit-reset-seconds-org', 'x-ratelimit-reset-seconds-ip', 'retry-after']
    .map((name) => secondsHeader(headers, name))
    .filter((ms): ms is number => ms !== undefined);
  return waits.length === 0 ? undefined : Math.max(...waits);
}
