/** Typed errors of compliance policies: CEL expressions that do not compile or cannot be evaluated. */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why a policy expression cannot be used. */
export type PolicyErrorCode = 'POLICY_EXPRESSION_INVALID' | 'POLICY_EVALUATION_FAILED';

const KINDS: KindTable<PolicyErrorCode> = {
  POLICY_EXPRESSION_INVALID: 'invalid',
  POLICY_EVALUATION_FAILED: 'failed',
};

/** Where in an expression's text a problem is: a 0-based offset and the 1-based line and column it falls on. */
export interface ExpressionPosition {
  readonly offset: number;
  readonly line: number;
  readonly col: number;
}

/** A policy expression that does not compile (with where in it) or that failed on one input. */
export class PolicyError extends SlipwayError<PolicyErrorCode> {
  override readonly name = 'PolicyError';
  /** Where in the expression the problem is, when the library says. */
  readonly at: ExpressionPosition | undefined;
  constructor(
    code: PolicyErrorCode,
    message: string,
    options?: { readonly cause?: unknown; readonly at?: ExpressionPosition },
  ) {
    super(code, KINDS[code], message, options);
    this.at = options?.at;
  }
}
