/** The server address of `--server` / SLIPWAY_SERVER: checked once, then joined with API paths. */
import { RemoteError } from './remote-error.js';

/** A checked server address: http(s), no credentials, query or fragment; `base` has no trailing slash. */
export interface ServerUrl {
  /** Origin plus any path prefix, e.g. `https://ci.example.com/slipway`. */
  readonly base: string;
}

/** Parses `--server URL`; a trailing slash or a path prefix (behind a proxy) is fine. */
export function parseServerUrl(text: string): ServerUrl {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch (error) {
    throw new RemoteError('BAD_URL', `--server must be an http:// or https:// URL, got '${text}'`, {
      cause: error,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RemoteError(
      'BAD_URL',
      `--server must be an http:// or https:// URL, got a ${url.protocol.slice(0, -1)}: URL`,
    );
  // Credentials in the URL would end up in messages; the token travels in SLIPWAY_TOKEN instead.
  if (url.username !== '' || url.password !== '')
    throw new RemoteError(
      'BAD_URL',
      '--server must not contain a user or password: put the token in SLIPWAY_TOKEN',
    );
  if (url.search !== '' || url.hash !== '')
    throw new RemoteError('BAD_URL', '--server must not have a query string or fragment');
  return { base: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/** The full URL of an API path (`/api/v1/runs`) under the server, with the defined query values. */
export function apiUrl(
  server: ServerUrl,
  path: string,
  query: Readonly<Record<string, string | number | boolean | undefined>> = {},
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const search = params.toString();
  return `${server.base}${path}${search === '' ? '' : `?${search}`}`;
}
