/**
 * A compliance rule: which resource changes it applies to, the condition each must meet, and the
 * message of a violation, all in CEL, compiled once and checked against every change of a plan.
 */
import { type CelActivation, type CelProgram, compileCel, toCelValue } from './cel.js';
import { PolicyError } from './errors.js';

/** What a violation does: `deny` blocks the approval until an admin overrides it, `warn` is only shown. */
export type PolicySeverity = 'deny' | 'warn';

/** A rule as a policy file writes it. */
export interface PolicyRuleSpec {
  readonly name: string;
  readonly severity: PolicySeverity;
  /** CEL bool: the changes the rule applies to (absent: all). */
  readonly match?: string;
  /** CEL bool that must hold for every change the rule applies to; false is a violation. */
  readonly expression: string;
  /** The violation's message, as text. */
  readonly message?: string;
  /** CEL string: the violation's message, computed from the change (`message` is the fallback). */
  readonly messageExpression?: string;
}

/** The resource change a rule reads as `resource` (a ResourceChange of a Terraform plan has this shape). */
export interface PolicyResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly module?: string;
  readonly action: string;
  readonly changed: readonly string[];
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>> | null;
}

/** The plan's counts a rule reads as `plan`. */
export interface PlanCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly replace: number;
}

/** A rule compiled, with the file it was read from. */
export interface PolicyRule {
  readonly name: string;
  readonly severity: PolicySeverity;
  /** The policy file, as the violations name it. */
  readonly file: string;
  readonly match?: CelProgram<'bool'>;
  readonly expression: CelProgram<'bool'>;
  readonly message?: string;
  readonly messageExpression?: CelProgram<'string'>;
}

/** A field of a rule whose CEL did not compile. */
export interface RuleCompileError {
  readonly field: 'match' | 'expression' | 'messageExpression';
  readonly error: PolicyError;
}

/** What checking one rule against one change found. */
export type RuleOutcome =
  | { readonly status: 'not-applicable' }
  | { readonly status: 'passed' }
  | { readonly status: 'violated'; readonly message: string };

/** Compiles every CEL field of `spec`: the rule, or each field that does not compile. */
export function compilePolicyRule(
  spec: PolicyRuleSpec,
  file: string,
): { readonly rule?: PolicyRule; readonly errors: readonly RuleCompileError[] } {
  const errors: RuleCompileError[] = [];
  const compile = <T extends 'bool' | 'string'>(
    field: RuleCompileError['field'],
    source: string,
    type: T,
  ) => {
    try {
      return compileCel(source, type);
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      errors.push({ field, error });
      return undefined;
    }
  };
  const match = spec.match === undefined ? undefined : compile('match', spec.match, 'bool');
  const expression = compile('expression', spec.expression, 'bool');
  const messageExpression =
    spec.messageExpression === undefined
      ? undefined
      : compile('messageExpression', spec.messageExpression, 'string');
  if (errors.length > 0 || expression === undefined) return { errors };
  return {
    rule: {
      name: spec.name,
      severity: spec.severity,
      file,
      expression,
      ...(match ? { match } : {}),
      ...(spec.message !== undefined ? { message: spec.message } : {}),
      ...(messageExpression ? { messageExpression } : {}),
    },
    errors,
  };
}

/** The variables of every rule for one change: build it once per change and check each rule with it. */
export function policyActivation(
  resource: PolicyResource,
  environment: string,
  plan: PlanCounts,
): CelActivation {
  return {
    resource: {
      address: resource.address,
      type: resource.type,
      name: resource.name,
      module: resource.module ?? '',
      action: resource.action,
      changed: [...resource.changed],
      before: toCelValue(resource.before),
      after: toCelValue(resource.after),
    },
    environment,
    plan: toCelValue({ add: plan.add, change: plan.change, destroy: plan.destroy, replace: plan.replace }),
  };
}

/**
 * Checks `rule` against one change. Failing closed: a `match` or `expression` that cannot be
 * evaluated on this change (a missing key read without `has()`, a division by zero) counts as a
 * violation of the rule's severity, its message saying why, so a broken deny rule still blocks.
 */
export function checkPolicyRule(rule: PolicyRule, activation: CelActivation): RuleOutcome {
  let failure: string | undefined;
  try {
    if (rule.match !== undefined && !rule.match.evaluate(activation)) return { status: 'not-applicable' };
  } catch (error) {
    failure = `could not evaluate match: ${reason(error)}`;
  }
  if (failure === undefined) {
    try {
      if (rule.expression.evaluate(activation)) return { status: 'passed' };
    } catch (error) {
      failure = `could not evaluate expression: ${reason(error)}`;
    }
  }
  const message = violationMessage(rule, activation);
  return {
    status: 'violated',
    message: failure === undefined ? message : `${message} (${failure}, so the rule counts as violated)`,
  };
}

function violationMessage(rule: PolicyRule, activation: CelActivation): string {
  const fallback = rule.message ?? `violates policy '${rule.name}'`;
  if (rule.messageExpression === undefined) return fallback;
  try {
    return rule.messageExpression.evaluate(activation);
  } catch (error) {
    return `${fallback} (messageExpression failed: ${reason(error)})`;
  }
}

function reason(error: unknown): string {
  if (!(error instanceof PolicyError)) throw error;
  return error.at === undefined ? error.message : `${error.message} at ${error.at.line}:${error.at.col}`;
}
