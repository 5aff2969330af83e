/**
 * Approving a plan binds the approval to the plan's hash. A plan a policy denies cannot be
 * approved unless an admin overrides it with a written reason, which the event log keeps.
 */
import type { NewEvent, StoredEvent } from '../store/store.js';
import { InfraError } from './errors.js';
import type { InfraPlan } from './plan-record.js';

/** Who approves a plan, and the override when a policy denies it. */
export interface PlanApproval {
  readonly actor: string;
  /** True when the approver may override a policy deny (the server's admin role; the local user). */
  readonly admin: boolean;
  /** The written reason of an override of the plan's policy denies. */
  readonly override?: string;
}

/** Why `plan` cannot be approved by `approval`, or undefined when it can. */
export function approvalRefusal(plan: InfraPlan, approval: PlanApproval): InfraError | undefined {
  if (plan.status === 'applied')
    return new InfraError(
      'INFRA_PLAN_APPLIED',
      `plan ${plan.id} of '${plan.environment}' was applied already`,
    );
  if (plan.status === 'failed')
    return new InfraError(
      'INFRA_PLAN_STALE',
      `plan ${plan.id} of '${plan.environment}' failed to apply (${plan.failure?.message ?? 'failed'}): plan again with slipway infra plan ${plan.environment}`,
    );
  const denied = plan.policy?.violations.filter((v) => v.severity === 'deny') ?? [];
  if (denied.length === 0) {
    if (approval.override !== undefined)
      return new InfraError('INFRA_OVERRIDE_INVALID', `plan ${plan.id} has no policy deny to override`);
    return undefined;
  }
  const rules = [...new Set(denied.map((v) => v.rule))].join(', ');
  if (approval.override === undefined)
    return new InfraError(
      'INFRA_POLICY_DENIED',
      `plan ${plan.id} of '${plan.environment}' is denied by policy (${denied.length} deny: ${rules}); an admin may override it with a written reason (--override "REASON")`,
    );
  if (approval.override.trim().length < 10)
    return new InfraError(
      'INFRA_OVERRIDE_INVALID',
      'an override needs a written reason (at least 10 characters)',
    );
  if (!approval.admin)
    return new InfraError(
      'INFRA_POLICY_DENIED',
      `plan ${plan.id} is denied by policy (${rules}): only an admin may override it`,
    );
  return undefined;
}

/** The events that approve `plan`: the override (when given) and the approval bound to the plan's hash. */
export function approvalEvents(plan: InfraPlan, approval: PlanApproval): NewEvent[] {
  const base = {
    actor: approval.actor,
    environment: plan.environment,
    runId: plan.runId,
    subject: String(plan.id),
  };
  const events: NewEvent[] = [];
  if (approval.override !== undefined)
    events.push({
      ...base,
      type: 'infra.overridden',
      data: {
        planId: plan.id,
        reason: approval.override.trim(),
        rules: [
          ...new Set((plan.policy?.violations ?? []).filter((v) => v.severity === 'deny').map((v) => v.rule)),
        ],
      },
    });
  events.push({ ...base, type: 'infra.approved', data: { planId: plan.id, hash: plan.hash } });
  return events;
}

/** Approves `plan` through `append` (the store, or the transaction that also decides a gate); throws the refusal. */
export async function approvePlan(
  append: (event: NewEvent) => Promise<StoredEvent>,
  plan: InfraPlan,
  approval: PlanApproval,
): Promise<void> {
  const refusal = approvalRefusal(plan, approval);
  if (refusal) throw refusal;
  if (plan.status === 'approved') return;
  for (const event of approvalEvents(plan, approval)) await append(event);
}
