// Evaluates a parsed expression against an EvalContext with GitHub's evaluator; pure apart from the injected providers.
import { data, Evaluator, type Expr } from '@actions/expressions';
import { fromData, toData } from './coerce.js';
import { ExpressionError } from './errors.js';
import type { EvalContext } from './eval-context.js';
import { slipwayFunctions } from './functions.js';
import { SLIPWAY_CONTEXTS } from './parser.js';

/** Computes the value of `expr` as expression data; a context the caller did not give reads as null. */
export function evaluateData(expr: Expr, ctx: EvalContext): data.ExpressionData {
  const contexts = new data.Dictionary();
  // The first value added under a name wins, so the defaults come after the given contexts.
  for (const [name, value] of Object.entries(ctx.contexts)) contexts.add(name, toData(value));
  for (const name of SLIPWAY_CONTEXTS) contexts.add(name, new data.Null());
  try {
    return new Evaluator(expr, contexts, slipwayFunctions(ctx)).evaluate();
  } catch (error) {
    if (error instanceof ExpressionError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ExpressionError('EXPRESSION_EVALUATION', reason, { cause: error });
  }
}

/** Computes the value of `expr` as plain data (objects, arrays, strings, numbers, booleans, null). */
export function evaluate(expr: Expr, ctx: EvalContext): unknown {
  return fromData(evaluateData(expr, ctx));
}
