/**
 * The GitHub channel: through Octokit, against github.com or a GitHub Enterprise `baseUrl`, sets a
 * commit status for pipeline triggers, creates a deployment and its status for deploy triggers, or,
 * with `codeScanning`, uploads a job's findings to code scanning as SARIF (see github-plan.ts). The
 * token stays in a private field and out of every error.
 */
import { Octokit } from '@octokit/rest';
import type { ChannelDeps, NotificationChannel } from './channel.js';
import { codeScanningSarif, encodeSarif, uploadToolName } from './code-scanning-upload.js';
import { NotificationError } from './errors.js';
import { type GithubPlan, planGithub } from './github-plan.js';
import { errorForStatus, parseRetryAfter } from './http-post.js';
import type { Notification } from './notification.js';
import { safeCause } from './redact.js';

/** Settings of one GitHub channel, secrets resolved. */
export interface GithubChannelOptions {
  /** The REST API root: `https://api.github.com`, or `https://<host>/api/v3` for GitHub Enterprise. */
  readonly baseUrl: string;
  readonly token: string;
  readonly timeoutMs: number;
  /** Upload jobs' findings to code scanning (`findings.recorded`); off unless set. */
  readonly codeScanning?: boolean;
}

/** The body of a code scanning upload, built before any call to GitHub. */
interface SarifUpload {
  readonly sarif: string;
  readonly toolName: string;
}

const SILENT = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Reports notifications to GitHub as commit statuses and deployments. */
export class GithubChannel implements NotificationChannel {
  readonly kind = 'github';
  readonly #options: GithubChannelOptions;
  readonly #octokit: Octokit;
  readonly #deps: ChannelDeps;

  constructor(options: GithubChannelOptions, deps: ChannelDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#octokit = new Octokit({
      auth: options.token,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      userAgent: 'slipway-notifications',
      log: SILENT,
    });
  }

  async send(n: Notification, idempotencyKey: string, signal?: AbortSignal): Promise<void> {
    const plan = planGithub(n, idempotencyKey);
    const upload = plan.kind === 'code-scanning' ? await this.#sarifOf(plan) : undefined;
    if (signal?.aborted) throw new NotificationError('CANCELLED', 'sending to GitHub was cancelled');
    const timeout = AbortSignal.timeout(this.#options.timeoutMs);
    const request = { signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]) };
    try {
      await this.#perform(plan, request, upload);
    } catch (error) {
      if (error instanceof NotificationError) throw error;
      const cause = safeCause(error, [this.#options.token]);
      if (signal?.aborted)
        throw new NotificationError('CANCELLED', 'sending to GitHub was cancelled', { cause });
      if (timeout.aborted)
        throw new NotificationError('TIMEOUT', `GitHub did not answer within ${this.#options.timeoutMs} ms`, {
          cause,
        });
      throw this.#errorOf(error, cause);
    }
  }

  /** The SARIF of the job `plan` uploads, read from the store now; permanent or retryable failures as such. */
  async #sarifOf(plan: Extract<GithubPlan, { kind: 'code-scanning' }>): Promise<SarifUpload> {
    const { run, job } = plan.findings;
    if (this.#options.codeScanning !== true)
      throw new NotificationError(
        'UNSUPPORTED_TRIGGER',
        'code scanning is off for this GitHub channel (`codeScanning: true` turns it on)',
      );
    const store = this.#deps.findings;
    if (store === undefined)
      throw new NotificationError('BAD_CONFIG', 'this GitHub channel was given no stored findings to upload');
    let findings: Awaited<ReturnType<typeof store.listFindings>>;
    try {
      findings = await store.listFindings({ runId: run, jobKey: job });
    } catch (error) {
      const cause = safeCause(error, [this.#options.token]);
      throw new NotificationError(
        'SOURCE_UNAVAILABLE',
        `reading the findings of job ${job} of run ${run} failed: ${cause.message}`,
        { cause },
      );
    }
    const log = codeScanningSarif(findings, plan.findings);
    return { sarif: encodeSarif(log), toolName: uploadToolName(log) };
  }

  async #perform(plan: GithubPlan, request: { signal: AbortSignal }, upload?: SarifUpload): Promise<void> {
    const { owner, repo } = plan;
    if (plan.kind === 'code-scanning') {
      if (upload === undefined) throw new NotificationError('MISSING_FIELD', 'no SARIF to upload');
      // 202: GitHub queued the analysis. The same category for the same commit and ref replaces
      // the analysis before, so a repeated upload changes nothing.
      await this.#octokit.rest.codeScanning.uploadSarif({
        owner,
        repo,
        commit_sha: plan.commitSha,
        ref: plan.ref,
        sarif: upload.sarif,
        tool_name: upload.toolName,
        request,
      });
      return;
    }
    if (plan.kind === 'commit-status') {
      await this.#octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: plan.sha,
        ...plan.body,
        request,
      });
      return;
    }
    // A deployment this notification made on an earlier attempt (its worker died before recording
    // it, or its status failed) is found by the idempotency key in its payload and used again, so
    // a repeat adds no second deployment.
    const existing = await this.#deploymentOf(plan, request);
    if (existing !== undefined) {
      await this.#octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: existing,
        ...plan.status,
        request,
      });
      return;
    }
    const created = await this.#octokit.rest.repos.createDeployment({
      owner,
      repo,
      ...plan.deployment,
      required_contexts: [...plan.deployment.required_contexts],
      request,
    });
    // 202: GitHub started a merge instead of creating the deployment (only with auto_merge).
    if (!('id' in created.data))
      throw new NotificationError(
        'REJECTED',
        `GitHub did not create the deployment: ${created.data.message ?? ''}`,
        {
          status: created.status,
        },
      );
    await this.#octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: created.data.id,
      ...plan.status,
      request,
    });
  }

  /** The id of the deployment of the same commit and environment made for this idempotency key, if any. */
  async #deploymentOf(
    plan: Extract<GithubPlan, { kind: 'deployment' }>,
    request: { signal: AbortSignal },
  ): Promise<number | undefined> {
    const { data } = await this.#octokit.rest.repos.listDeployments({
      owner: plan.owner,
      repo: plan.repo,
      sha: plan.deployment.ref,
      environment: plan.deployment.environment,
      per_page: 100,
      request,
    });
    const key = plan.deployment.payload.slipway_idempotency_key;
    for (const deployment of data) {
      // GitHub returns the payload as given, an object; older deployments may hold it as a string.
      const payload: unknown =
        typeof deployment.payload === 'string' ? safeJson(deployment.payload) : deployment.payload;
      if ((payload as { slipway_idempotency_key?: unknown } | undefined)?.slipway_idempotency_key === key)
        return deployment.id;
    }
    return undefined;
  }

  #errorOf(error: unknown, cause: Error): NotificationError {
    const status = statusOf(error);
    if (status === undefined)
      return new NotificationError('NETWORK_ERROR', `cannot reach GitHub: ${cause.message}`, { cause });
    const headers = headersOf(error);
    const now = this.#deps.now();
    // GitHub's primary and secondary rate limits answer 403 (or 429) with these headers.
    if (
      status === 403 &&
      (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0')
    ) {
      const reset = Number(headers['x-ratelimit-reset']);
      const retryAfterMs =
        parseRetryAfter(headers['retry-after'], now) ??
        (Number.isFinite(reset) ? Math.max(0, reset * 1000 - now) : undefined);
      return new NotificationError('RATE_LIMITED', `GitHub is rate limiting (HTTP 403): ${cause.message}`, {
        status,
        cause,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    const mapped = errorForStatus('GitHub API', status, headers['retry-after'] ?? null, now, cause.message);
    if (mapped === undefined)
      return new NotificationError('REJECTED', `GitHub answered unexpectedly: ${cause.message}`, { cause });
    return new NotificationError(mapped.code, mapped.message, {
      status,
      cause,
      ...(mapped.retryAfterMs === undefined ? {} : { retryAfterMs: mapped.retryAfterMs }),
    });
  }

  toJSON(): { kind: 'github'; baseUrl: string } {
    return { kind: this.kind, baseUrl: this.#options.baseUrl };
  }

  toString(): string {
    return `GithubChannel(${this.#options.baseUrl})`;
  }
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  const status = error.status;
  // Octokit reports a failed fetch as status 500 with no response: a network failure, not GitHub's.
  if (!('response' in error) || error.response === undefined) return undefined;
  return typeof status === 'number' && status > 0 ? status : undefined;
}

function headersOf(error: unknown): Readonly<Record<string, string | undefined>> {
  if (typeof error !== 'object' || error === null || !('response' in error)) return {};
  const response = error.response;
  if (typeof response !== 'object' || response === null || !('headers' in response)) return {};
  const headers = response.headers;
  return typeof headers === 'object' && headers !== null
    ? (headers as Record<string, string | undefined>)
    : {};
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
