/**
 * The compliance check of a Terraform plan: every compiled policy rule against every resource
 * change, collected into violations. Pure: the approval gate decides what a deny blocks.
 */
import {
  checkPolicyRule,
  type PlanCounts,
  type PolicyRule,
  type PolicySeverity,
  policyActivation,
} from '../../policy/policy-rule.js';
import type { ResourceChange } from '../terraform/resource-change.js';

/** One rule a resource change breaks. */
export interface PolicyViolation {
  /** The rule's name. */
  readonly rule: string;
  /** The policy file declaring the rule. */
  readonly file: string;
  readonly severity: PolicySeverity;
  readonly address: string;
  readonly action: ResourceChange['action'];
  readonly message: string;
}

/** What the rules see besides each change: the environment's name and the plan's counts. */
export interface PolicyContext {
  readonly environment: string;
  readonly summary: PlanCounts;
}

/** The outcome of the compliance check of a plan. */
export interface PolicyReport {
  /** Every violation, in the plan's order of changes, then the order of the rules. */
  readonly violations: readonly PolicyViolation[];
  /** How many violations are denies. */
  readonly denied: number;
  /** How many violations are warnings. */
  readonly warned: number;
  /** How many checks ran: rules times the changes checked (those not `no-op` or `read`). */
  readonly evaluated: number;
}

/** The actions no rule is checked against: nothing changes (`no-op`), or a data source is read. */
export const UNCHECKED_ACTIONS: readonly ResourceChange['action'][] = ['no-op', 'read'];

/**
 * Checks every change of a plan against every rule. `no-op` and `read` changes are skipped: they
 * alter nothing a policy could forbid. A rule that cannot be evaluated on a change counts as
 * violated (see checkPolicyRule), so a broken deny rule blocks rather than lets a change through.
 */
export function evaluatePolicies(
  changes: readonly ResourceChange[],
  rules: readonly PolicyRule[],
  context: PolicyContext,
): PolicyReport {
  const violations: PolicyViolation[] = [];
  let denied = 0;
  let evaluated = 0;
  for (const change of changes) {
    if (UNCHECKED_ACTIONS.includes(change.action)) continue;
    evaluated += rules.length;
    if (rules.length === 0) continue;
    const activation = policyActivation(change, context.environment, context.summary);
    for (const rule of rules) {
      const outcome = checkPolicyRule(rule, activation);
      if (outcome.status !== 'violated') continue;
      if (rule.severity === 'deny') denied++;
      violations.push({
        rule: rule.name,
        file: rule.file,
        severity: rule.severity,
        address: change.address,
        action: change.action,
        message: outcome.message,
      });
    }
  }
  return { violations, denied, warned: violations.length - denied, evaluated };
}
