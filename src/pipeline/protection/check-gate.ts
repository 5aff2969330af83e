/**
 * Checks an environment's protection when a run reaches its gate: gathers the facts the rules need
 * (required stages' evidence from the store, the commit's signature from git) and judges them.
 */
import { resolve } from 'node:path';
import type { ResolvedConfig, ResolvedProtection } from '../../config/resolved.js';
import type { Run, Store } from '../../store/store.js';
import { type GateJudgement, judgeGate } from './gate-rules.js';
import { stageEvidence } from './stage-evidence.js';
import { type SignatureVerdict, verifyCommit } from './verify-commit.js';

/** What checking a gate reads from. */
export interface GateCheckDeps {
  readonly store: Store;
  /** The project's repository; the signature files are relative to it. */
  readonly projectDir: string;
  /** The environment git and gpg run with (PATH, HOME, GNUPGHOME). */
  readonly env: Readonly<Record<string, string>>;
}

/** The gate of `environment` in `run`, under `protection`. */
export interface GateCheckInput {
  readonly run: Run;
  readonly config: ResolvedConfig;
  readonly environment: string;
  readonly protection: ResolvedProtection;
}

/** Judges the branch, required stages and signed commit rules of one gate. */
export async function checkGate(deps: GateCheckDeps, input: GateCheckInput): Promise<GateJudgement> {
  const { run, protection } = input;
  const stages = await stageEvidence(deps.store, run, input.config, protection.requiredStages);
  let signature: SignatureVerdict | undefined;
  if (protection.signedCommits && run.commitSha !== null) {
    const { allowedSigners, gpgKeyring } = protection.signedCommits;
    signature = await verifyCommit({
      repoDir: deps.projectDir,
      sha: run.commitSha,
      allowedSigners: resolve(deps.projectDir, allowedSigners),
      ...(gpgKeyring !== undefined ? { gpgKeyring: resolve(deps.projectDir, gpgKeyring) } : {}),
      env: deps.env,
    });
  }
  return judgeGate({
    environment: input.environment,
    protection,
    runId: run.id,
    branch: run.branch,
    commitSha: run.commitSha,
    stages,
    ...(signature ? { signature } : {}),
  });
}
