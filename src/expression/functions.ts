// Slipway's functions beyond GitHub's built-ins: the status functions and hashFiles, bound to an EvalContext.
import { data } from '@actions/expressions';
import type { FunctionDefinition, FunctionInfo } from '@actions/expressions/funcs/info';
import { ExpressionError } from './errors.js';
import type { EvalContext, StatusProvider } from './eval-context.js';

const DEFAULT_STATUS: StatusProvider = { success: () => true, failure: () => false, cancelled: () => false };

/** The status provider of `ctx`, or one where `success()` holds when the caller has none. */
export function statusOf(ctx: EvalContext): StatusProvider {
  return ctx.status ?? DEFAULT_STATUS;
}

/** Names and arities of Slipway's functions, for the parser to accept them. */
export const SLIPWAY_FUNCTIONS: readonly FunctionInfo[] = [
  { name: 'success', minArgs: 0, maxArgs: 0 },
  { name: 'failure', minArgs: 0, maxArgs: 0 },
  { name: 'cancelled', minArgs: 0, maxArgs: 0 },
  { name: 'always', minArgs: 0, maxArgs: 0 },
  { name: 'hashFiles', minArgs: 1, maxArgs: 255 },
];

const STATUS_NAMES: ReadonlySet<string> = new Set(['success', 'failure', 'cancelled', 'always']);

/** True for success/failure/cancelled/always, whose presence turns off the implicit `success() &&`. */
export function isStatusFunction(name: string): boolean {
  return STATUS_NAMES.has(name.toLowerCase());
}

function hashFiles(ctx: EvalContext, patterns: readonly data.ExpressionData[]): string {
  if (ctx.hashFiles === undefined) {
    throw new ExpressionError('EXPRESSION_UNSUPPORTED', 'hashFiles() is not available in this context');
  }
  return ctx.hashFiles(patterns.map((pattern) => pattern.coerceString()));
}

/** Slipway's functions bound to `ctx`, keyed by lower-case name as the evaluator looks them up. */
export function slipwayFunctions(ctx: EvalContext): Map<string, FunctionDefinition> {
  const status = statusOf(ctx);
  const bool = (value: boolean) => new data.BooleanData(value);
  const calls: Record<string, FunctionDefinition['call']> = {
    success: () => bool(status.success()),
    failure: () => bool(status.failure()),
    cancelled: () => bool(status.cancelled()),
    always: () => bool(true),
    hashfiles: (...patterns) => new data.StringData(hashFiles(ctx, patterns)),
  };
  return new Map(
    SLIPWAY_FUNCTIONS.map((info) => {
      const key = info.name.toLowerCase();
      // Every listed function has a call above; the table and the list are kept side by side.
      return [key, { ...info, call: calls[key]! }];
    }),
  );
}
