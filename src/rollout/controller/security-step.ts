/**
 * The `securityCheck` and `securityVerify` steps of a rollout: `checks.security` run against the
 * new revision before it gets traffic and again once it has all of it. The outcome is a
 * measurement named `security`, reported and stored with the rollout like analysis's, and a
 * failed one fails the step, so the rollout rolls back to the stable revision.
 */
import type { Rollout } from '../../store/store.js';
import type { Measurement } from '../analysis/analysis-types.js';
import type { RolloutStep } from '../rollout-step.js';
import { describeFindings, describeReport, runSecurityChecks } from '../security/security-checks.js';
import type { CheckTarget } from './checks.js';
import type { ControllerDeps, StepResult } from './controller-types.js';
import type { RolloutSpec } from './rollout-spec.js';

/** The metric name of a security check's measurement. */
export const SECURITY_METRIC = 'security';

/** Runs the step's security checks; a failed result when they find a problem, undefined when they pass. */
export async function runSecurityStep(args: {
  readonly rollout: Rollout;
  readonly spec: RolloutSpec;
  readonly step: RolloutStep;
  readonly target: CheckTarget;
  readonly deps: ControllerDeps;
}): Promise<Extract<StepResult, { status: 'failed' }> | undefined> {
  const { rollout, spec, step, target, deps } = args;
  const checks = spec.checks.security;
  if (!checks) return undefined;
  const report = await runSecurityChecks(
    checks,
    { url: target.url, revision: target.revision, workdir: target.workdir },
    { timeoutMs: spec.checks.timeoutMs, now: deps.clock.now() },
  );
  const when = step.action === 'securityVerify' ? 'after promotion' : 'before traffic';
  const failed = report.findings.length > 0;
  const measurement: Measurement = {
    metric: SECURITY_METRIC,
    verdict: failed ? 'failure' : 'success',
    value: report.findings.length,
    threshold: '0 problems',
    message: describeReport(report, when),
  };
  deps.report({ type: 'analysis.measurement', rollout: rollout.id, step: rollout.step, ...measurement });
  const stored = await deps.store.getRollout(rollout.id);
  const data = stored?.data ?? rollout.data;
  const earlier = Array.isArray(data.measurements) ? (data.measurements as Measurement[]) : [];
  await deps.store.updateRollout(rollout.id, {
    data: {
      ...data,
      measurements: [...earlier.filter((m) => m.metric !== SECURITY_METRIC), measurement],
      measuredAt: deps.clock.now(),
    },
  });
  if (!failed) return undefined;
  const reason = `security check ${when} failed: ${describeFindings(report.findings)}`;
  return { status: 'failed', reason, measurement };
}
