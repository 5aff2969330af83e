/**
 * An environment's protection at its deploy gate: checked when the run reaches the gate, before
 * anything is planned or waited for. A violation fails the environment naming the rule, in its
 * log and as a `protection.blocked` event; what each satisfied rule found goes to the log and to one
 * `protection.passed` event, which the audit evidence lists.
 */
import type { ResolvedConfig, ResolvedProtection } from '../../config/resolved.js';
import type { Run, Store } from '../../store/store.js';
import type { PlannedDeployNode } from '../plan.js';
import { checkGate } from '../protection/check-gate.js';
import type { AttemptLog } from './log-sink.js';
import type { NodeOutcome } from './run-recorder.js';

/** What enforcing a gate's protection works with. */
export interface ProtectionInput {
  readonly store: Store;
  readonly run: Run;
  readonly config: ResolvedConfig;
  readonly projectDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly protection: ResolvedProtection;
  readonly service: string;
  readonly log: AttemptLog;
}

/** Checks the gate of `node`; the failed outcome when a rule blocks it, else undefined. */
export async function enforceProtection(
  input: ProtectionInput,
  node: PlannedDeployNode,
  startedAt: number,
): Promise<NodeOutcome | undefined> {
  const { run, log } = input;
  const judgement = await checkGate(
    { store: input.store, projectDir: input.projectDir, env: input.env },
    { run, config: input.config, environment: node.environment, protection: input.protection },
  );
  for (const found of judgement.passed) log.system(`protection of ${node.environment}: ${found}`);
  const approvers = input.protection.approvers;
  if (judgement.violations.length === 0) {
    if (judgement.passed.length > 0)
      await input.store.appendEvent({
        type: 'protection.passed',
        actor: run.actor,
        runId: run.id,
        environment: node.environment,
        service: input.service,
        subject: node.key,
        commitSha: run.commitSha,
        data: { rules: [...judgement.passed] },
      });
    if (approvers && node.approval === 'manual_approval')
      log.system(
        `protection of ${node.environment}: the gate needs ${approvers.required} distinct approver${approvers.required === 1 ? '' : 's'}${approvers.excludeStarter ? `, not ${run.actor}, who started the run` : ''}`,
      );
    return undefined;
  }
  for (const violation of judgement.violations) {
    log.system(violation.message);
    await input.store.appendEvent({
      type: 'protection.blocked',
      actor: run.actor,
      runId: run.id,
      environment: node.environment,
      service: input.service,
      subject: node.key,
      commitSha: run.commitSha,
      data: { rule: violation.rule, message: violation.message },
    });
  }
  log.end();
  const [first, ...rest] = judgement.violations;
  return {
    status: 'failure',
    outputs: {},
    attempts: 1,
    exitCode: null,
    message: `${first!.message}${rest.length > 0 ? ` (and ${rest.length} more: see the log)` : ''}`,
    startedAt,
  };
}
