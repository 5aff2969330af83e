/**
 * The checks of a plan's changes: the compliance policies (CEL rules) and the cost estimate, each
 * read from its files when the plan is made, so a file changed since slipway.yaml was loaded is
 * checked as it is now. A file that does not parse fails the plan at its `file:line:col`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Diagnostic, formatDiagnostic } from '../config/diagnostic.js';
import { matchSources } from '../config/flag-source-files.js';
import { parsePolicyFile } from '../config/policy-file.js';
import { type PriceCatalogue, parsePricingFile } from '../config/pricing-file.js';
import type { ResolvedInfrastructure } from '../config/resolved-infrastructure.js';
import type { PolicyRule } from '../policy/policy-rule.js';
import { estimateCost } from './cost/estimate-cost.js';
import { InfraError } from './errors.js';
import type { CostOutcome, PolicyOutcome } from './plan-record.js';
import { evaluatePolicies } from './policy/evaluate-policies.js';
import type { PlanSummary } from './terraform/plan-summary.js';
import type { ResourceChange } from './terraform/resource-change.js';

function readFile(projectDir: string, file: string): string {
  try {
    return readFileSync(join(projectDir, file), 'utf8');
  } catch (error) {
    throw new InfraError('INFRA_FILE_INVALID', `cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function refuse(what: string, diagnostics: readonly Diagnostic[]): never {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  throw new InfraError(
    'INFRA_FILE_INVALID',
    `${what} is invalid:\n${errors.map((d) => formatDiagnostic(d.file ?? what, { ...d, file: undefined } as Diagnostic)).join('\n')}`,
  );
}

/** Every rule of the policy files `infra.policies` matches, compiled. */
export function loadPolicyRules(projectDir: string, infra: ResolvedInfrastructure): PolicyRule[] {
  const files = [...new Set(matchSources(projectDir, infra.policies, 'slipway.yaml').flat())];
  const rules: PolicyRule[] = [];
  for (const file of files) {
    const parsed = parsePolicyFile(readFile(projectDir, file), file);
    if (!parsed.value || parsed.diagnostics.some((d) => d.severity === 'error'))
      refuse(file, parsed.diagnostics);
    rules.push(...parsed.value);
  }
  return rules;
}

/**
 * The checks of an environment, read and compiled: its policy rules (null when the compliance
 * check is off or there are none) and its price catalogue (null when the estimate is off or there
 * is none). Loaded while Terraform plans, which leaves this process idle.
 */
export interface PlanChecks {
  readonly rules: readonly PolicyRule[] | null;
  readonly catalogue: PriceCatalogue | null;
}

/** Reads and compiles the policy files and the price catalogue of `infra`; throws INFRA_FILE_INVALID for a bad one. */
export function loadPlanChecks(projectDir: string, infra: ResolvedInfrastructure): PlanChecks {
  const rules =
    infra.validation.complianceCheck && infra.policies.length > 0 ? loadPolicyRules(projectDir, infra) : null;
  let catalogue: PriceCatalogue | null = null;
  if (infra.validation.costEstimate && infra.pricing !== undefined) {
    const parsed = parsePricingFile(readFile(projectDir, infra.pricing), infra.pricing);
    if (!parsed.value || parsed.diagnostics.some((d) => d.severity === 'error'))
      refuse(infra.pricing, parsed.diagnostics);
    catalogue = parsed.value;
  }
  return { rules, catalogue };
}

/** The compliance check of `changes`, or null without rules. */
export function checkPolicies(
  checks: PlanChecks,
  changes: readonly ResourceChange[],
  context: { environment: string; summary: PlanSummary },
): PolicyOutcome | null {
  if (!checks.rules) return null;
  const { add, change, destroy, replace } = context.summary;
  return evaluatePolicies(changes, checks.rules, {
    environment: context.environment,
    summary: { add, change, destroy, replace },
  });
}

/** The cost estimate of `changes`, or null without a catalogue. */
export function checkCost(checks: PlanChecks, changes: readonly ResourceChange[]): CostOutcome | null {
  return checks.catalogue ? estimateCost(changes, checks.catalogue) : null;
}
