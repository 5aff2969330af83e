/**
 * CEL for compliance policies: an expression is compiled (parsed and type-checked) once, with its
 * problems at a line and column of its text, then evaluated over each resource change.
 *
 * The library is @marcbachmann/cel-js, chosen over @bufbuild/cel and cel-js after measuring all
 * three on Node 20 (20 rules x 500 resource changes, the policy check of a large plan):
 * - @marcbachmann/cel-js 8.0.0: no dependencies (288 KB), Node 20.19 or later, 50 ms to import; macros, `has()`, `in`,
 *   `startsWith`, `matches`; a type checker over declared variables that refuses `environment > 1`
 *   or an unknown variable before anything runs, with the error's range in the text; 6 ms for the
 *   10,000 evaluations (11 ms with the conversion of the attributes below). `matches` uses
 *   JavaScript regular expressions, not RE2 (policy files are written by the project's admins).
 * - @bufbuild/cel 0.6.1: tested against the cel-spec conformance suite, but three packages and
 *   11 MB (protobuf, cel-spec, re2), 190 ms to import, no usable type checker (its `check` is not
 *   exported and refuses most expressions), and 60 ms for the same evaluations: most of the plan's
 *   overhead budget.
 * - cel-js 0.8.2: no `startsWith`, `matches` or `int()`, parse errors without positions, an
 *   evaluation error that prints the whole input, 600 ms to import and 60 ms for 16 of the rules.
 *
 * JSON has one number type where CEL has `int` and `double` that do not mix in arithmetic:
 * toCelValue makes a whole number an `int`, as Kubernetes does with JSON, so `resource.after.count
 * + 1` and `resource.after.count > 2` work; a fraction stays a `double` (`1.5 > 1` still compares).
 * And `has(resource.after.tags.owner)` is false when `tags` is missing, not an error (nested-has.ts).
 */
import { Environment } from '@marcbachmann/cel-js';
import { type ExpressionPosition, PolicyError } from './errors.js';
import { guardNestedHas } from './nested-has.js';

/** The variables every policy expression may use, with their CEL types. */
export const POLICY_VARIABLES = {
  resource: 'map<string, dyn>',
  environment: 'string',
  plan: 'map<string, int>',
} as const;

/** Values for POLICY_VARIABLES, already converted by toCelValue. */
export type CelActivation = { readonly [name in keyof typeof POLICY_VARIABLES]: unknown };

/** The type an expression must have: a condition, or a message. */
export type CelResultType = 'bool' | 'string';

type ResultOf<T extends CelResultType> = T extends 'bool' ? boolean : string;

/** An expression compiled once and evaluated many times. */
export interface CelProgram<T extends CelResultType> {
  readonly source: string;
  /** The type the checker inferred: `T`, or `dyn` when it depends on the input. */
  readonly type: string;
  /** The value over `activation`; a PolicyError when evaluation fails or gives a value of another type. */
  evaluate(activation: CelActivation): ResultOf<T>;
}

interface LibraryError {
  readonly name?: string;
  readonly summary?: string;
  readonly message?: string;
  readonly range?: { readonly start: number };
}

/** Compiles `source` to a program giving a `T`; a POLICY_EXPRESSION_INVALID PolicyError with its position if it cannot. */
export function compileCel<T extends CelResultType>(source: string, expects: T): CelProgram<T> {
  // An environment holds declarations only and costs microseconds: one per expression keeps no shared state.
  const env = new Environment({ homogeneousAggregateLiterals: false });
  for (const [name, type] of Object.entries(POLICY_VARIABLES)) env.registerVariable(name, type);
  let run: (context: CelActivation) => unknown;
  let type: string;
  let toOriginal = (offset: number) => offset;
  try {
    const parsed = env.parse(source);
    const checked = parsed.check();
    if (!checked.valid) throw checked.error;
    run = parsed;
    type = checked.type ?? 'dyn';
    const rewrite = guardNestedHas(source, parsed.ast);
    const guarded = rewrite && env.parse(rewrite.source);
    if (rewrite && guarded?.check().valid) {
      run = guarded;
      toOriginal = rewrite.toOriginal;
    }
  } catch (error) {
    throw new PolicyError('POLICY_EXPRESSION_INVALID', describe(error, true), {
      cause: error,
      ...positionOf(source, error),
    });
  }
  if (type !== expects && type !== 'dyn')
    throw new PolicyError(
      'POLICY_EXPRESSION_INVALID',
      `must be a ${expects} expression, but it gives ${type}`,
      {
        at: { offset: 0, line: 1, col: 1 },
      },
    );
  const jsType = expects === 'bool' ? 'boolean' : 'string';
  return {
    source,
    type,
    evaluate(activation) {
      let value: unknown;
      try {
        value = run(activation);
      } catch (error) {
        throw new PolicyError('POLICY_EVALUATION_FAILED', describe(error, false), {
          cause: error,
          ...positionOf(source, error, toOriginal),
        });
      }
      if (typeof value !== jsType)
        throw new PolicyError('POLICY_EVALUATION_FAILED', `gave ${celTypeOf(value)}, not a ${expects}`);
      return value as ResultOf<T>;
    },
  };
}

/**
 * A JSON value as CEL sees it: whole numbers (within 2^53) become `int` (bigint), other numbers
 * stay `double`; lists and maps are converted all the way down, anything else is kept.
 */
export function toCelValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toCelValue);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = toCelValue((value as Record<string, unknown>)[key]);
  return out;
}

/** The 1-based line and column of `offset` in `text`. */
export function positionIn(text: string, offset: number): ExpressionPosition {
  const clamped = Math.max(0, Math.min(offset, text.length));
  const before = text.slice(0, clamped);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { offset: clamped, line: before.split('\n').length, col: clamped - lineStart + 1 };
}

function positionOf(
  source: string,
  error: unknown,
  toOriginal = (offset: number) => offset,
): { at?: ExpressionPosition } {
  const start = (error as LibraryError | undefined)?.range?.start;
  return typeof start === 'number' ? { at: positionIn(source, toOriginal(start)) } : {};
}

// The library's one-line summary (its message adds a code frame); an unknown variable lists the known ones.
function describe(error: unknown, compiling: boolean): string {
  const e = error as LibraryError | undefined;
  const text = e?.summary ?? e?.message?.split('\n')[0] ?? String(error);
  if (compiling && text.startsWith('Unknown variable'))
    return `${text} (the variables are ${Object.keys(POLICY_VARIABLES).join(', ')})`;
  return text;
}

function celTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return 'an int';
  if (typeof value === 'number') return 'a double';
  if (typeof value === 'boolean') return 'a bool';
  if (typeof value === 'string') return 'a string';
  return Array.isArray(value) ? 'a list' : 'a map';
}
