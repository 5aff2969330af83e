// Evaluates a parsed expression against an EvalContext; pure apart from the injected providers.
import type { Expr } from './ast.js';
import { compareValues, isTruthy } from './coerce.js';
import { ExpressionError } from './errors.js';
import type { EvalContext } from './eval-context.js';
import { lookupFunction } from './functions.js';
import { readIndex, readProperty } from './property.js';

/** Computes the value of `expr`; missing contexts and properties yield null instead of throwing. */
export function evaluate(expr: Expr, ctx: EvalContext): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'context':
      return readProperty(ctx.contexts, expr.name);
    case 'property':
      return readProperty(evaluate(expr.object, ctx), expr.name);
    case 'index':
      return readIndex(evaluate(expr.object, ctx), evaluate(expr.index, ctx));
    case 'not':
      return !isTruthy(evaluate(expr.operand, ctx));
    case 'compare':
      return compareValues(expr.op, evaluate(expr.left, ctx), evaluate(expr.right, ctx));
    case 'logical':
      return evaluateLogical(expr.op, expr.operands, ctx);
    case 'call':
      return evaluateCall(expr.name, expr.args, ctx);
  }
}

// `&&` yields the first falsy operand and `||` the first truthy one; later operands are never evaluated.
function evaluateLogical(op: '&&' | '||', operands: readonly Expr[], ctx: EvalContext): unknown {
  let value: unknown = null;
  for (const operand of operands) {
    value = evaluate(operand, ctx);
    if (isTruthy(value) === (op === '||')) return value;
  }
  return value;
}

function evaluateCall(name: string, args: readonly Expr[], ctx: EvalContext): unknown {
  const spec = lookupFunction(name);
  if (spec === undefined)
    throw new ExpressionError('EXPRESSION_UNKNOWN_FUNCTION', `unknown function '${name}'`);
  if (args.length < spec.minArgs || args.length > spec.maxArgs) {
    throw new ExpressionError(
      'EXPRESSION_ARGUMENTS',
      `${spec.name}() called with ${args.length} argument(s)`,
    );
  }
  return spec.call(
    args.map((arg) => evaluate(arg, ctx)),
    ctx,
  );
}
