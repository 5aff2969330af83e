/** The HTTP status of each error kind, and back: the API answers with these, its clients read them. */
import type { ErrorKind } from './slipway-error.js';

/** The status the API answers an error of each kind with. */
export const HTTP_STATUS: Readonly<Record<ErrorKind, number>> = {
  usage: 400,
  invalid: 422,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  failed: 500,
  internal: 500,
};

/**
 * The kind of an error answered with `status`, as its client sees it. Refused credentials
 * (401, 403) and a server's 500 are failures of the request, not the client's usage or bug.
 */
export function kindOfHttpStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return 'failed';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 422) return 'invalid';
  if (status >= 400 && status < 500) return 'usage';
  if (status === 503) return 'unavailable';
  return 'failed';
}
