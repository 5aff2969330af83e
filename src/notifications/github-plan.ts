/**
 * What GitHub calls a notification becomes, as data: a commit status for pipeline and sync triggers,
 * a deployment plus its status for deploy triggers, or a code scanning upload of a job's findings.
 * Pure, so the mapping is tested without a server; github-channel.ts performs the calls.
 */
import { NotificationError } from './errors.js';
import type { FindingsReference, Notification, Trigger } from './notification.js';

/** The triggers GitHub has a place for; the channel config accepts only these. */
export const GITHUB_TRIGGERS = [
  'sync.succeeded',
  'sync.failed',
  'pipeline.failed',
  'approval.waiting',
  'deploy.completed',
  'rollout.rolledback',
] as const satisfies readonly Trigger[];

/** The body of `POST /repos/{owner}/{repo}/statuses/{sha}`. */
export interface CommitStatusBody {
  readonly state: 'error' | 'failure' | 'pending' | 'success';
  readonly context: string;
  readonly description: string;
  readonly target_url?: string;
}

/** The body of `POST /repos/{owner}/{repo}/deployments`. */
export interface DeploymentBody {
  readonly ref: string;
  readonly environment: string;
  readonly auto_merge: false;
  readonly required_contexts: readonly string[];
  readonly description: string;
  readonly payload: Readonly<Record<string, string>>;
}

/** The body of `POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses`. */
export interface DeploymentStatusBody {
  readonly state: 'error' | 'failure' | 'success' | 'inactive';
  readonly description: string;
  readonly environment_url?: string;
  readonly log_url?: string;
}

/** The calls of one notification. */
export type GithubPlan =
  | {
      readonly kind: 'commit-status';
      readonly owner: string;
      readonly repo: string;
      readonly sha: string;
      readonly body: CommitStatusBody;
    }
  | {
      readonly kind: 'deployment';
      readonly owner: string;
      readonly repo: string;
      readonly deployment: DeploymentBody;
      readonly status: DeploymentStatusBody;
    }
  | {
      readonly kind: 'code-scanning';
      readonly owner: string;
      readonly repo: string;
      readonly commitSha: string;
      /** `refs/heads/<branch>` of the run. */
      readonly ref: string;
      readonly findings: FindingsReference;
    };

/** GitHub refuses longer status descriptions. */
const DESCRIPTION_MAX = 140;

/** The GitHub calls for `n`; throws a permanent `NotificationError` when `n` cannot be one. */
export function planGithub(n: Notification, idempotencyKey: string): GithubPlan {
  const [owner, repo] = splitRepository(n.repository);
  if (n.commitSha === undefined || n.commitSha === '')
    throw new NotificationError('MISSING_FIELD', `a ${n.trigger} notification for GitHub needs a commit SHA`);
  const sha = n.commitSha;
  const description = clip(n.title);
  const target = n.url === undefined ? {} : { target_url: n.url };
  const scope = n.environment === undefined ? '' : `/${n.environment}`;
  const status = (state: CommitStatusBody['state'], context: string): GithubPlan => ({
    kind: 'commit-status',
    owner,
    repo,
    sha,
    body: { state, context, description, ...target },
  });
  switch (n.trigger) {
    case 'sync.succeeded':
    case 'sync.failed':
      return status(n.trigger === 'sync.succeeded' ? 'success' : 'failure', `slipway/sync${scope}`);
    case 'pipeline.failed':
    case 'approval.waiting':
      return status(
        n.trigger === 'approval.waiting' ? 'pending' : n.outcome === 'error' ? 'error' : 'failure',
        `slipway/${n.pipeline ?? 'pipeline'}${scope}`,
      );
    case 'deploy.completed':
    case 'rollout.rolledback': {
      if (n.environment === undefined)
        throw new NotificationError(
          'MISSING_FIELD',
          `a ${n.trigger} notification for GitHub needs an environment`,
        );
      return {
        kind: 'deployment',
        owner,
        repo,
        deployment: {
          ref: sha,
          environment: n.environment,
          auto_merge: false,
          required_contexts: [],
          description,
          payload: { slipway_event_id: n.id, slipway_idempotency_key: idempotencyKey },
        },
        status: {
          state: deploymentState(n),
          description,
          ...(n.environmentUrl === undefined ? {} : { environment_url: n.environmentUrl }),
          ...(n.url === undefined ? {} : { log_url: n.url }),
        },
      };
    }
    case 'findings.recorded': {
      const findings = n.findings;
      if (findings === undefined)
        throw new NotificationError(
          'MISSING_FIELD',
          'a findings.recorded notification needs its run and job',
        );
      if (findings.branch === undefined)
        throw new NotificationError(
          'MISSING_FIELD',
          `GitHub code scanning files findings under a branch, and run ${findings.run} has none`,
        );
      return {
        kind: 'code-scanning',
        owner,
        repo,
        commitSha: sha,
        ref: `refs/heads/${findings.branch}`,
        findings,
      };
    }
    default:
      throw new NotificationError(
        'UNSUPPORTED_TRIGGER',
        `GitHub has no status for ${n.trigger} notifications`,
      );
  }
}

function deploymentState(n: Notification): DeploymentStatusBody['state'] {
  if (n.trigger === 'rollout.rolledback') return 'failure';
  switch (n.outcome) {
    case undefined:
    case 'success':
      return 'success';
    case 'failure':
      return 'failure';
    case 'error':
    case 'cancelled':
      return 'error';
  }
}

function splitRepository(repository: string | undefined): readonly [string, string] {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository ?? '');
  if (match === null)
    throw new NotificationError(
      'MISSING_FIELD',
      'a notification for GitHub needs its repository as owner/name',
    );
  return [match[1]!, match[2]!];
}

function clip(text: string): string {
  return text.length <= DESCRIPTION_MAX ? text : `${text.slice(0, DESCRIPTION_MAX - 1)}…`;
}
