/** Turns Node's network errors into the short phrases health reports show. */

const SOCKET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'connection closed by peer',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connect timed out',
  EADDRNOTAVAIL: 'address not available',
};

/** A network or system error as a short phrase: `connection refused`, `cannot resolve host db`. */
export function describeSocketError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Happy-eyeballs connects fail with an AggregateError holding one error per address tried.
  const first = error instanceof AggregateError && error.errors[0] instanceof Error ? error.errors[0] : error;
  const { code, hostname } = first as NodeJS.ErrnoException & { hostname?: string };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve host ${hostname ?? ''}`.trim();
  if (code && SOCKET_ERRORS[code]) return SOCKET_ERRORS[code];
  return first.message || error.message || String(error);
}
