/**
 * The rules of `checks.security` as pure functions over what the endpoint answered: response
 * headers, forbidden paths and TLS. Each problem is a finding whose message names the header, path
 * or setting it breaks; the requests and handshakes themselves are made elsewhere.
 */
import type { ResolvedSecurityChecks } from '../../config/resolved-security-checks.js';

type HeaderRules = ResolvedSecurityChecks['headers'];
type TlsRules = ResolvedSecurityChecks['tls'];

/** One problem a security check found; `rule` is the setting under `checks.security` it breaks. */
export interface SecurityFinding {
  readonly rule: string;
  readonly message: string;
}

/** A response as the security rules see it: status, lower-cased headers and (part of) the body. */
export interface SecurityResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body's first bytes, as text (the whole body when it is short). */
  readonly head: string;
  /** The body's last bytes, as text (the whole body when it is short). */
  readonly tail: string;
  /** The body's length in bytes. */
  readonly bytes: number;
}

/** A version number after a product name (`nginx/1.25.3`, `PHP/8.2`, `Jetty(9.4.z)`). */
const VERSION = /\/\s*v?\d|\bv?\d+\.\d+/i;

/** The findings of the header rules on the response to `label` (e.g. `GET /`). */
export function headerFindings(
  response: SecurityResponse,
  rules: HeaderRules,
  context: { readonly label: string; readonly https: boolean },
): SecurityFinding[] {
  const { label } = context;
  const out: SecurityFinding[] = [];
  const get = (name: string) => headerValue(response.headers, name);
  if (rules.hsts === true || (rules.hsts === 'https' && context.https)) {
    const hsts = get('strict-transport-security');
    const maxAge = hsts === undefined ? undefined : /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(hsts)?.[1];
    if (hsts === undefined)
      out.push({ rule: 'headers.hsts', message: `${label} has no Strict-Transport-Security header` });
    else if (maxAge === undefined || Number(maxAge) <= 0)
      out.push({
        rule: 'headers.hsts',
        message: `${label} has Strict-Transport-Security: ${hsts}, without a max-age above 0`,
      });
  }
  if (rules.contentTypeOptions) {
    const value = get('x-content-type-options');
    if (value === undefined)
      out.push({
        rule: 'headers.contentTypeOptions',
        message: `${label} has no X-Content-Type-Options: nosniff header`,
      });
    else if (value.trim().toLowerCase() !== 'nosniff')
      out.push({
        rule: 'headers.contentTypeOptions',
        message: `${label} has X-Content-Type-Options: ${value}, expected nosniff`,
      });
  }
  if (rules.csp && !(get('content-security-policy') ?? '').trim()) {
    const reportOnly = get('content-security-policy-report-only') !== undefined;
    out.push({
      rule: 'headers.csp',
      message: reportOnly
        ? `${label} has only Content-Security-Policy-Report-Only, which enforces nothing; no Content-Security-Policy header`
        : `${label} has no Content-Security-Policy header`,
    });
  }
  if (!rules.serverVersion)
    for (const name of ['Server', 'X-Powered-By']) {
      const value = get(name.toLowerCase());
      if (value !== undefined && VERSION.test(value))
        out.push({ rule: 'headers.serverVersion', message: `${label} names a version in ${name}: ${value}` });
    }
  return out;
}

/**
 * Whether a forbidden path is served: it answered 2xx, and a made-up path beside it (`decoy`) did
 * not get the very same answer; a server that answers every path with one page (a single-page
 * app's fallback) serves nothing by it. Redirects, 403 and 404 are not served.
 */
export function forbiddenPathFinding(
  path: string,
  response: SecurityResponse,
  decoy?: SecurityResponse,
): SecurityFinding | undefined {
  if (response.status < 200 || response.status >= 300) return undefined;
  if (decoy && sameAnswer(response, decoy)) return undefined;
  return {
    rule: 'forbiddenPaths',
    message: `GET ${path} answered ${response.status}: a forbidden path is served`,
  };
}

/**
 * A path beside `path` that no server has: in the same folder, so a rule that blocks the folder
 * treats both alike (`/.git/config` -> `/.git/<token>`, `/.git/` -> `/<token>/`).
 */
export function decoyPath(path: string, token: string): string {
  const folder = path.endsWith('/') ? path.slice(0, -1) : path;
  const parent = folder.slice(0, folder.lastIndexOf('/') + 1) || '/';
  return `${parent}${token}${path.endsWith('/') ? '/' : ''}`;
}

/** What a TLS handshake with the endpoint showed. */
export interface TlsObservation {
  /** `host:port` of the endpoint. */
  readonly endpoint: string;
  /** The name checked against the certificate. */
  readonly hostname: string;
  /** The protocol negotiated when every version is offered, e.g. `TLSv1.3`. */
  readonly protocol: string;
  /** Why the certificate chain is not trusted (an OpenSSL code); absent when it is. */
  readonly untrusted?: string;
  /** Why the certificate does not cover `hostname`; absent when it does. */
  readonly hostnameMismatch?: string;
  /** The certificate's subject and alternative names, for messages. */
  readonly subject: string;
  /** The certificate's validity, in ms since the epoch (NaN when unreadable). */
  readonly validFrom: number;
  readonly validTo: number;
  /** An older version than the minimum that the endpoint accepted when offered alone. */
  readonly acceptedOlder?: string;
}

const TLS_VERSIONS = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const DAY_MS = 86_400_000;

/** The newest version older than `version` (what a downgrade probe offers). */
export function olderTlsVersion(version: 'TLSv1.2' | 'TLSv1.3'): 'TLSv1.1' | 'TLSv1.2' {
  return version === 'TLSv1.3' ? 'TLSv1.2' : 'TLSv1.1';
}

/** The findings of the TLS rules on one handshake, judged at `now`. */
export function tlsFindings(tls: TlsObservation, rules: TlsRules, now: number): SecurityFinding[] {
  const out: SecurityFinding[] = [];
  const rank = (version: string) => TLS_VERSIONS.indexOf(version);
  if (rank(tls.protocol) < rank(rules.minVersion))
    out.push({ rule: 'tls.minVersion', message: `${tls.protocol} negotiated, minimum ${rules.minVersion}` });
  else if (tls.acceptedOlder !== undefined)
    out.push({
      rule: 'tls.minVersion',
      message: `${tls.endpoint} accepts ${tls.acceptedOlder}, minimum ${rules.minVersion}`,
    });
  if (tls.untrusted !== undefined)
    out.push({
      rule: 'tls.ca',
      message: `certificate of ${tls.endpoint} is not trusted (${tls.untrusted}); if an internal authority issued it, name its PEM file in tls.ca`,
    });
  if (tls.hostnameMismatch !== undefined)
    out.push({
      rule: 'tls.hostname',
      message: `hostname ${tls.hostname} does not match certificate (${tls.subject})`,
    });
  if (Number.isNaN(tls.validTo) || Number.isNaN(tls.validFrom))
    out.push({ rule: 'tls.expiryDays', message: `certificate of ${tls.endpoint} has no readable validity` });
  else if (tls.validFrom > now)
    out.push({
      rule: 'tls.expiryDays',
      message: `certificate for ${tls.hostname} is not valid before ${isoDay(tls.validFrom)}`,
    });
  else if (tls.validTo <= now)
    out.push({
      rule: 'tls.expiryDays',
      message: `certificate for ${tls.hostname} expired on ${isoDay(tls.validTo)}`,
    });
  else if (tls.validTo - now < rules.expiryDays * DAY_MS) {
    const days = Math.floor((tls.validTo - now) / DAY_MS);
    out.push({
      rule: 'tls.expiryDays',
      message: `certificate for ${tls.hostname} expires in ${days} day${days === 1 ? '' : 's'} (${isoDay(tls.validTo)}), minimum ${rules.expiryDays}`,
    });
  }
  return out;
}

/** One header's value; repeated headers are joined as HTTP joins them. */
export function headerValue(headers: SecurityResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

function sameAnswer(a: SecurityResponse, b: SecurityResponse): boolean {
  return a.status === b.status && a.bytes === b.bytes && a.head === b.head && a.tail === b.tail;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
