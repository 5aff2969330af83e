/** Typed errors of infrastructure: Terraform plans and applies, policies, Kubernetes manifests and Helm. */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why an infrastructure request cannot be done. */
export type InfraErrorCode =
  | 'INFRA_NOT_CONFIGURED'
  | 'INFRA_TOOL_MISSING'
  | 'INFRA_TOOL_FAILED'
  | 'INFRA_PLAN_NOT_FOUND'
  | 'INFRA_PLAN_STALE'
  | 'INFRA_PLAN_CHANGED'
  | 'INFRA_PLAN_NOT_APPROVED'
  | 'INFRA_PLAN_APPLIED'
  | 'INFRA_POLICY_DENIED'
  | 'INFRA_OVERRIDE_INVALID'
  | 'INFRA_BUSY'
  | 'INFRA_MANIFEST_INVALID'
  | 'INFRA_PLAN_JSON_INVALID'
  | 'INFRA_FILE_INVALID';

const KINDS: KindTable<InfraErrorCode> = {
  INFRA_NOT_CONFIGURED: 'usage',
  INFRA_TOOL_MISSING: 'unavailable',
  INFRA_TOOL_FAILED: 'failed',
  INFRA_PLAN_NOT_FOUND: 'not_found',
  INFRA_PLAN_STALE: 'conflict',
  INFRA_PLAN_CHANGED: 'conflict',
  INFRA_PLAN_NOT_APPROVED: 'conflict',
  INFRA_PLAN_APPLIED: 'conflict',
  INFRA_POLICY_DENIED: 'conflict',
  INFRA_OVERRIDE_INVALID: 'usage',
  INFRA_BUSY: 'conflict',
  INFRA_MANIFEST_INVALID: 'invalid',
  INFRA_PLAN_JSON_INVALID: 'failed',
  INFRA_FILE_INVALID: 'invalid',
};

/** An infrastructure request that cannot be done. */
export class InfraError extends SlipwayError<InfraErrorCode> {
  override readonly name = 'InfraError';
  constructor(code: InfraErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
