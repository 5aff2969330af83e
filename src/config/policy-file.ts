/**
 * A compliance policy file: YAML rules over each resource change of a Terraform plan, written in
 * CEL, checked and compiled here so every problem (YAML, keys, types, an expression that does not
 * compile) is a diagnostic at the policy file's own line and column.
 */
import { z } from 'zod';
import type { ExpressionPosition } from '../policy/errors.js';
import { compilePolicyRule, type PolicyRule, type PolicyRuleSpec } from '../policy/policy-rule.js';
import { type ConfigPath, type Diagnostic, sortDiagnostics } from './diagnostic.js';
import { pos } from './rule-diagnostics.js';
import { issuesToDiagnostics } from './schema-issues.js';
import { keysAt } from './schema-keys.js';
import { type ConfigSource, type Position, parseSource } from './source.js';

// Not trimmed: positions inside an expression must stay those of the file's text.
const cel = (what: string) => z.string().regex(/\S/, { error: 'must not be empty' }).describe(what);

const policyRuleSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'a rule name holds letters, digits, ., _ and -' })
      .describe('Name of the rule, unique in its file; violations and overrides name it.'),
    severity: z
      .enum(['deny', 'warn'])
      .default('deny')
      .describe(
        "`deny` blocks the plan's approval until an admin overrides it with a written reason; `warn` is only shown (default: `deny`).",
      ),
    match: cel(
      'CEL bool: the resource changes the rule applies to, e.g. `environment == "production"` (default: every change).',
    ).optional(),
    expression: cel(
      'CEL bool that must hold for each change the rule applies to; false is a violation. Variables: `resource` (address, type, name, module, action, changed, before, after), `environment`, `plan` (add, change, destroy, replace).',
    ),
    message: z
      .string()
      .min(1)
      .optional()
      .describe("The violation's message (default: `violates policy '<name>'`)."),
    messageExpression: cel(
      'CEL string: the violation\'s message computed from the change, e.g. `"destroys " + resource.address` (`message` is the fallback if it fails).',
    ).optional(),
  })
  .describe(
    'One compliance rule. An expression that cannot be evaluated on a change (a missing key read without `has()`) counts as a violation.',
  );

/** The schema of a policy file. */
export const policyFileSchema = z
  .strictObject({
    policies: z
      .array(policyRuleSchema)
      .describe('The rules, checked against every change of a plan except `no-op` and `read`.'),
  })
  .describe('A compliance policy file.');

/** A policy file read: its compiled rules when it has no error, and every problem found. */
export interface ParsedPolicyFile {
  readonly value?: readonly PolicyRule[];
  readonly diagnostics: Diagnostic[];
}

/** The data and problems of a YAML file checked against `schema`, each diagnostic naming `file`. */
export interface CheckedYaml<T> {
  readonly source: ConfigSource;
  /** The data as written (undefined when the YAML is unreadable). */
  readonly raw: unknown;
  /** The data the schema gives, when it accepts it. */
  readonly data?: T;
  readonly diagnostics: Diagnostic[];
}

/** Reads a YAML file and checks it against `schema`: the shared first step of the policy and price files. */
export function parseCheckedYaml<T>(text: string, file: string, schema: z.ZodType<T>): CheckedYaml<T> {
  const source = parseSource(text);
  const inFile = (d: Diagnostic): Diagnostic => ({ ...d, file });
  const syntax = source.syntax.map(inFile);
  if (source.data === undefined || syntax.some((d) => d.severity === 'error'))
    return { source, raw: source.data, diagnostics: syntax };
  if (source.data === null)
    return {
      source,
      raw: null,
      diagnostics: [{ severity: 'error', path: [], message: 'the file is empty', line: 1, col: 1, file }],
    };
  const parsed = schema.safeParse(source.data);
  if (parsed.success) return { source, raw: source.data, data: parsed.data, diagnostics: syntax };
  const issues = issuesToDiagnostics(parsed.error.issues, source.data, source, (path) =>
    keysAt(schema, path),
  );
  return { source, raw: source.data, diagnostics: [...syntax, ...issues.map(inFile)] };
}

/** Parses a policy file's text; `file` is its path relative to slipway.yaml's directory, as diagnostics and violations name it. */
export function parsePolicyFile(text: string, file: string): ParsedPolicyFile {
  const checked = parseCheckedYaml(text, file, policyFileSchema);
  const { source, diagnostics } = checked;
  const rawRules = (checked.raw as { policies?: unknown } | null | undefined)?.policies;
  if (!Array.isArray(rawRules)) return { diagnostics: sortDiagnostics(diagnostics) };
  const lines = text.split('\n');
  const error = (path: ConfigPath, message: string, at: Position = source.valueAt(path)) =>
    diagnostics.push({ severity: 'error', path, message, ...at, file });
  const rules: PolicyRule[] = [];
  const named = new Map<string, number>();
  rawRules.forEach((raw, i) => {
    // The CEL of a rule the schema refused still compiles, so every problem is reported at once.
    const spec = checked.data?.policies[i] ?? lenientSpec(raw);
    if (spec === undefined) return;
    const { rule, errors } = compilePolicyRule(spec, file);
    for (const { field, error: cause } of errors) {
      const path = ['policies', i, field];
      error(
        path,
        `invalid CEL: ${cause.message}`,
        inExpression(lines, source.valueAt(path), spec[field]!, cause.at),
      );
    }
    if (rule) rules.push(rule);
    const earlier = named.get(spec.name);
    if (earlier === undefined) named.set(spec.name, i);
    else if (spec.name !== '')
      error(
        ['policies', i, 'name'],
        `rule '${spec.name}' is already declared at ${pos(source.valueAt(['policies', earlier, 'name']))}`,
      );
  });
  const sorted = sortDiagnostics(diagnostics);
  return sorted.some((d) => d.severity === 'error')
    ? { diagnostics: sorted }
    : { value: rules, diagnostics: sorted };
}

// The CEL fields of a rule the schema refused, where they are strings (a placeholder expression otherwise).
function lenientSpec(raw: unknown): PolicyRuleSpec | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const fields = raw as Record<string, unknown>;
  const text = (key: string) => {
    const value = fields[key];
    return typeof value === 'string' && /\S/.test(value) ? value : undefined;
  };
  const match = text('match');
  const messageExpression = text('messageExpression');
  return {
    name: text('name') ?? '',
    severity: 'deny',
    expression: text('expression') ?? 'true',
    ...(match !== undefined ? { match } : {}),
    ...(messageExpression !== undefined ? { messageExpression } : {}),
  };
}

/**
 * Where a problem at `at` inside an expression is in the file, when the YAML holds the expression's
 * text verbatim there: a one-line plain or quoted scalar, or a literal block (`|`). Otherwise (a
 * folded or escaped scalar) the expression's own position.
 */
export function inExpression(
  lines: readonly string[],
  start: Position,
  expression: string,
  at: ExpressionPosition | undefined,
): Position {
  if (at === undefined) return start;
  const raw = lines[start.line - 1] ?? '';
  const indicator = raw[start.col - 1];
  const before = (expression.split('\n')[at.line - 1] ?? '').slice(0, at.col - 1);
  const verbatim = (line: number, index: number): Position | undefined =>
    lines[line - 1]?.slice(index, index + before.length) === before
      ? { line, col: index + before.length + 1 }
      : undefined;
  if (indicator === '|') {
    const first = lines[start.line] ?? '';
    const indent = first.length - first.trimStart().length;
    return verbatim(start.line + at.line, indent) ?? start;
  }
  if (at.line !== 1 || expression.trim().includes('\n')) return start;
  const quoted = indicator === '"' || indicator === "'";
  return verbatim(start.line, quoted ? start.col : start.col - 1) ?? start;
}
