// The built-in functions: their arity (checked at parse time) and their pure implementations.
import { looseEquals, toJsonText, toText } from './coerce.js';
import { ExpressionError } from './errors.js';
import type { EvalContext, StatusProvider } from './eval-context.js';
import { formatText } from './format.js';

/** A built-in function: how many arguments it takes and what it computes from their values. */
export interface FunctionSpec {
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly call: (args: readonly unknown[], ctx: EvalContext) => unknown;
}

const DEFAULT_STATUS: StatusProvider = { success: () => true, failure: () => false, cancelled: () => false };

/** The status provider of `ctx`, or one where `success()` holds when the caller has none. */
export function statusOf(ctx: EvalContext): StatusProvider {
  return ctx.status ?? DEFAULT_STATUS;
}

const upper = (value: unknown): string => toText(value).toUpperCase();

function contains(search: unknown, item: unknown): boolean {
  if (Array.isArray(search)) return search.some((element) => looseEquals(element, item));
  return upper(search).includes(upper(item));
}

function join(value: unknown, separator: unknown): string {
  const text = separator === undefined ? ',' : toText(separator);
  return Array.isArray(value) ? value.map(toText).join(text) : toText(value);
}

function fromJson(value: unknown): unknown {
  try {
    return JSON.parse(toText(value));
  } catch (error) {
    throw new ExpressionError('EXPRESSION_EVALUATION', 'fromJSON() was given text that is not valid JSON', {
      cause: error,
    });
  }
}

function hashFiles(patterns: readonly unknown[], ctx: EvalContext): string {
  if (ctx.hashFiles === undefined) {
    throw new ExpressionError('EXPRESSION_UNSUPPORTED', 'hashFiles() is not available in this context');
  }
  return ctx.hashFiles(patterns.map(toText));
}

const SPECS: readonly FunctionSpec[] = [
  { name: 'success', minArgs: 0, maxArgs: 0, call: (_, ctx) => statusOf(ctx).success() },
  { name: 'failure', minArgs: 0, maxArgs: 0, call: (_, ctx) => statusOf(ctx).failure() },
  { name: 'cancelled', minArgs: 0, maxArgs: 0, call: (_, ctx) => statusOf(ctx).cancelled() },
  { name: 'always', minArgs: 0, maxArgs: 0, call: () => true },
  { name: 'contains', minArgs: 2, maxArgs: 2, call: ([search, item]) => contains(search, item) },
  {
    name: 'startsWith',
    minArgs: 2,
    maxArgs: 2,
    call: ([text, prefix]) => upper(text).startsWith(upper(prefix)),
  },
  { name: 'endsWith', minArgs: 2, maxArgs: 2, call: ([text, suffix]) => upper(text).endsWith(upper(suffix)) },
  {
    name: 'format',
    minArgs: 1,
    maxArgs: Infinity,
    call: ([template, ...rest]) => formatText(toText(template), rest),
  },
  { name: 'join', minArgs: 1, maxArgs: 2, call: ([value, separator]) => join(value, separator) },
  { name: 'toJSON', minArgs: 1, maxArgs: 1, call: ([value]) => toJsonText(value, 2) },
  { name: 'fromJSON', minArgs: 1, maxArgs: 1, call: ([value]) => fromJson(value) },
  { name: 'hashFiles', minArgs: 1, maxArgs: Infinity, call: (patterns, ctx) => hashFiles(patterns, ctx) },
];

// Function names are case-insensitive in Actions, so the table is keyed by lower case.
const BY_NAME: ReadonlyMap<string, FunctionSpec> = new Map(
  SPECS.map((spec) => [spec.name.toLowerCase(), spec]),
);
const STATUS_NAMES: ReadonlySet<string> = new Set(['success', 'failure', 'cancelled', 'always']);

/** The built-in function called `name` (any case), or undefined when there is none. */
export function lookupFunction(name: string): FunctionSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** True for success/failure/cancelled/always, whose presence turns off the implicit `success() &&`. */
export function isStatusFunction(name: string): boolean {
  return STATUS_NAMES.has(name.toLowerCase());
}
