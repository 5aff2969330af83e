/** Typed errors of an environment's edge: what cannot be served as asked, and an edge that cannot be reached. */
import { type KindTable, SlipwayError } from '../../errors/slipway-error.js';

/** Why the edge could not start or answer. */
export type EdgeErrorCode =
  | 'unknown_environment'
  | 'unknown_service'
  | 'no_fleet'
  | 'no_port'
  | 'invalid_region'
  | 'edge_running'
  | 'no_edge'
  | 'bad_request'
  | 'edge_failed';

// Names that do not exist and configs that do not fit are the caller's to fix; an edge already
// running is a state the request collides with; an edge that answers with an error is a failure.
const KINDS: KindTable<EdgeErrorCode> = {
  unknown_environment: 'not_found',
  unknown_service: 'not_found',
  no_fleet: 'invalid',
  no_port: 'invalid',
  invalid_region: 'invalid',
  edge_running: 'conflict',
  no_edge: 'not_found',
  bad_request: 'usage',
  edge_failed: 'failed',
};

/** An edge error; `cause` keeps the socket's or director's own error. */
export class EdgeError extends SlipwayError<EdgeErrorCode> {
  override readonly name = 'EdgeError';
  constructor(code: EdgeErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
