/** Typed errors of the pipeline domain that reach the user. */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why a pipeline command cannot do what was asked. */
export type PipelineErrorCode =
  | 'RUN_NOT_FOUND'
  | 'RUN_FINISHED'
  | 'RUN_ACTIVE'
  | 'RUN_NOT_RESUMABLE'
  | 'APPROVAL_NOT_FOUND'
  | 'APPROVAL_DECIDED'
  | 'PROTECTION_VIOLATION'
  | 'CONFIG_INVALID';

const KINDS: KindTable<PipelineErrorCode> = {
  RUN_NOT_FOUND: 'not_found',
  APPROVAL_NOT_FOUND: 'not_found',
  RUN_FINISHED: 'conflict',
  RUN_ACTIVE: 'conflict',
  RUN_NOT_RESUMABLE: 'conflict',
  APPROVAL_DECIDED: 'conflict',
  PROTECTION_VIOLATION: 'conflict',
  CONFIG_INVALID: 'invalid',
};

/** A pipeline command the user asked for that cannot be done. */
export class PipelineError extends SlipwayError<PipelineErrorCode> {
  override readonly name = 'PipelineError';
  constructor(code: PipelineErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
