/**
 * The protection rules of a deploy gate, judged as pure functions over facts gathered beforehand:
 * the run's branch against the allowed globs, the required stages' evidence, the commit's signature
 * verdict, and each approval against the approvers rule. Every violation names its rule.
 */
import type { ResolvedProtection } from '../../config/resolved.js';
import { pathGlob } from '../../findings/path-glob.js';
import type { SignatureVerdict } from './verify-commit.js';

/** A rule of `protection:`, as the config names it. */
export type ProtectionRule =
  | 'branches'
  | 'requiredStages'
  | 'signedCommits'
  | 'approvers.required'
  | 'approvers.excludeStarter';

/** A rule a run breaks at an environment's gate, and the message that names it. */
export interface ProtectionViolation {
  readonly rule: ProtectionRule;
  readonly message: string;
}

/** Whether a required stage passed on the run's commit. */
export type StageEvidence =
  | { readonly stage: string; readonly status: 'passed'; readonly runId: number }
  /** `here` says how the stage ended in this run, e.g. "job 'sast' ended failure in this run". */
  | { readonly stage: string; readonly status: 'missing'; readonly here: string };

/** What the gate knows when a run reaches it. */
export interface GateFacts {
  readonly environment: string;
  readonly protection: ResolvedProtection;
  readonly runId: number;
  readonly branch: string | null;
  readonly commitSha: string | null;
  /** One per required stage, in the config's order. */
  readonly stages: readonly StageEvidence[];
  /** Present when `signedCommits` is set and the run has a commit. */
  readonly signature?: SignatureVerdict;
}

/** The verdict at the gate: what blocks it, and what each satisfied rule found (for the log). */
export interface GateJudgement {
  readonly violations: readonly ProtectionViolation[];
  readonly passed: readonly string[];
}

/** The violation of `rule` at `environment`'s gate, its message naming both. */
export function violation(environment: string, rule: ProtectionRule, detail: string): ProtectionViolation {
  return { rule, message: `protection rule '${rule}' of ${environment}: ${detail}` };
}

/** A commit SHA as messages show it. */
export const shortSha = (sha: string): string => sha.slice(0, 7);

/** Judges the branch, required stages and signed commit rules. Pure. */
export function judgeGate(facts: GateFacts): GateJudgement {
  const { environment, protection } = facts;
  const violations: ProtectionViolation[] = [];
  const passed: string[] = [];
  const broken = (rule: ProtectionRule, detail: string) =>
    violations.push(violation(environment, rule, detail));
  const commit = facts.commitSha === null ? undefined : shortSha(facts.commitSha);

  if (protection.branches) {
    const allowed = protection.branches.join(', ');
    if (facts.branch === null)
      broken('branches', `the run has no branch (a detached HEAD or no git repository); allowed: ${allowed}`);
    else if (!protection.branches.some((glob) => pathGlob(glob)(facts.branch!)))
      broken('branches', `branch '${facts.branch}' is not allowed (allowed: ${allowed})`);
    else passed.push(`branch '${facts.branch}' is allowed`);
  }

  for (const evidence of facts.stages) {
    if (evidence.status === 'passed') {
      passed.push(
        evidence.runId === facts.runId
          ? `stage '${evidence.stage}' passed in this run`
          : `stage '${evidence.stage}' passed on commit ${commit} in run ${evidence.runId}`,
      );
      continue;
    }
    broken(
      'requiredStages',
      commit === undefined
        ? `stage '${evidence.stage}' has not passed: ${evidence.here} (the run has no commit, so earlier runs cannot count)`
        : `stage '${evidence.stage}' has not passed on commit ${commit}: ${evidence.here}, nor in an earlier run of the commit`,
    );
  }

  const signed = protection.signedCommits;
  if (signed) {
    const verdict = facts.signature;
    if (commit === undefined || verdict === undefined)
      broken('signedCommits', 'the run has no commit to verify (not a git repository)');
    else if (verdict.status === 'good') passed.push(`commit ${commit} is signed by ${verdict.signer}`);
    else broken('signedCommits', signatureProblem(commit, verdict, signed));
  }
  return { violations, passed };
}

function signatureProblem(
  commit: string,
  verdict: Exclude<SignatureVerdict, { status: 'good' }>,
  signed: NonNullable<ResolvedProtection['signedCommits']>,
): string {
  switch (verdict.status) {
    case 'unsigned':
      return `commit ${commit} is not signed`;
    case 'unknown_key': {
      const trusted =
        verdict.format === 'ssh' ? signed.allowedSigners : (signed.gpgKeyring ?? "the runner's GPG keyring");
      return `commit ${commit} is signed by ${verdict.format === 'ssh' ? 'SSH ' : ''}${verdict.key}, which is not in ${trusted}`;
    }
    case 'bad':
      return `commit ${commit} has a bad signature: ${verdict.reason}`;
    case 'unverifiable':
      return `the signature of commit ${commit} could not be verified: ${verdict.reason}`;
  }
}

/** An approval to judge: who gives it, who started the run, and who approved the gate before. */
export interface ApprovalAttempt {
  readonly environment: string;
  readonly approvers: NonNullable<ResolvedProtection['approvers']>;
  readonly runId: number;
  readonly starter: string;
  readonly actor: string;
  readonly approvedBy: readonly string[];
}

/** Why an approval is refused, or undefined when it counts. Pure. */
export function approvalRefusal(attempt: ApprovalAttempt): ProtectionViolation | undefined {
  const { environment, approvers, actor } = attempt;
  if (approvers.excludeStarter && actor === attempt.starter)
    return violation(
      environment,
      'approvers.excludeStarter',
      `${actor} started run ${attempt.runId}, so another approver must approve it`,
    );
  if (attempt.approvedBy.includes(actor))
    return violation(
      environment,
      'approvers.required',
      `needs ${approvers.required} distinct approvers, and ${actor} already approved (${attempt.approvedBy.length} of ${approvers.required})`,
    );
  return undefined;
}
