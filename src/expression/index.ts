// Public surface of the `${{ }}` expression language used by pipeline conditions and interpolation.
export { referencedNeeds, usesStatusFunction } from './analysis.js';
export { isTruthy } from './coerce.js';
export { type Condition, evaluateCondition, parseCondition } from './condition.js';
export {
  ExpressionError,
  type ExpressionErrorCode,
  isExpressionError,
  type SourcePosition,
} from './errors.js';
export type { EvalContext, StatusProvider } from './eval-context.js';
export { evaluate } from './evaluate.js';
export { interpolate } from './interpolate.js';
export {
  checkExpression,
  type Expr,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  type ParseOptions,
  parseExpression,
  SLIPWAY_CONTEXTS,
} from './parser.js';
export { checkTemplate, findExpressions, type TemplateExpression } from './template.js';
