/**
 * Runs `checks.security` against a revision: the TLS of an HTTPS endpoint, the headers of the page
 * at `path`, the forbidden paths and the source maps of the page's scripts and stylesheets. Every
 * request carries the router's revision header, so the revision is checked before it has weight.
 * The rules are judged by the pure functions of security-rules.ts and source-maps.ts.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { ResolvedSecurityChecks } from '../../config/resolved-security-checks.js';
import { type SecurityAnswer, type SecurityClient, securityGet } from './security-request.js';
import {
  decoyPath,
  forbiddenPathFinding,
  headerFindings,
  headerValue,
  olderTlsVersion,
  type SecurityFinding,
  type SecurityResponse,
  tlsFindings,
} from './security-rules.js';
import { guessedMapUrl, isSourceMap, pageAssets, sourceMapRefs } from './source-maps.js';
import { probeTls } from './tls-probe.js';

/** What the checks are run against. */
export interface SecurityTarget {
  /** The service's endpoint (used unless `checks.security.url` names another), e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly revision: string;
  /** Where a relative `tls.ca` is read from: the project. */
  readonly workdir: string;
}

/** The outcome: every problem found, and what was looked at. */
export interface SecurityReport {
  readonly findings: readonly SecurityFinding[];
  /** The endpoint checked. */
  readonly endpoint: string;
  readonly requests: number;
  /** The TLS version negotiated, for an HTTPS endpoint that completed a handshake. */
  readonly tls?: string;
}

/** Redirects of the page at `path` followed within the endpoint's origin. */
const MAX_REDIRECTS = 5;

/** Runs every check; never throws (a request that fails is a finding: what is not verified does not pass). */
export async function runSecurityChecks(
  checks: ResolvedSecurityChecks,
  target: SecurityTarget,
  options: { readonly timeoutMs: number; readonly now: number },
): Promise<SecurityReport> {
  const base = (checks.url ?? target.url).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base))
    return {
      findings: [{ rule: 'url', message: 'the service has no HTTP endpoint to check' }],
      endpoint: base,
      requests: 0,
    };
  const origin = new URL(base);
  const https = origin.protocol === 'https:';
  const hostname = checks.tls.hostname ?? origin.hostname.replace(/^\[|\]$/g, '');
  const client: SecurityClient = {
    revision: target.revision,
    timeoutMs: options.timeoutMs,
    ...(https && isIP(hostname) === 0 ? { servername: hostname } : {}),
  };
  let requests = 0;
  const get = (url: string): Promise<SecurityAnswer> => {
    requests++;
    return securityGet(url, client);
  };
  const findings: SecurityFinding[] = [];
  let protocol: string | undefined;
  if (https) {
    const tls = await checkTls(checks, origin, hostname, target.workdir, options);
    findings.push(...tls.findings);
    protocol = tls.protocol;
  }
  const page = await getPage(get, `${base}${checks.path}`, origin.origin);
  const label = `GET ${checks.path}${page.redirectedTo ? ` (redirected to ${page.redirectedTo})` : ''}`;
  if (!page.answer.ok)
    findings.push({ rule: 'path', message: `GET ${checks.path} failed: ${page.answer.message}` });
  else findings.push(...headerFindings(page.answer.response, checks.headers, { label, https }));
  const token = `.slipway-absent-${randomBytes(6).toString('hex')}`;
  const [paths, maps] = await Promise.all([
    Promise.all(checks.forbiddenPaths.map((path) => forbiddenPath(get, base, path, token))),
    checks.sourceMaps && page.answer.ok ? sourceMaps(get, page.answer.response, page.url) : [],
  ]);
  findings.push(...paths.flat(), ...maps);
  return { findings, endpoint: base, requests, ...(protocol !== undefined ? { tls: protocol } : {}) };
}

/** The one-line summary of a report, as a measurement's message; `when` says which check it was. */
export function describeReport(report: SecurityReport, when?: string): string {
  const { findings } = report;
  const at = `${when ? `${when} ` : ''}at ${report.endpoint}`;
  if (findings.length === 0)
    return `security checks ${at} passed (${report.requests} requests${report.tls ? `, ${report.tls}` : ''})`;
  const count = `${findings.length} security problem${findings.length === 1 ? '' : 's'}`;
  return `${count} ${at}: ${describeFindings(findings)}`;
}

/** Every finding with the setting it breaks, in one line. */
export function describeFindings(findings: readonly SecurityFinding[]): string {
  return findings.map((f) => `${f.message} (${f.rule})`).join('; ');
}

async function checkTls(
  checks: ResolvedSecurityChecks,
  origin: URL,
  hostname: string,
  workdir: string,
  options: { readonly timeoutMs: number; readonly now: number },
): Promise<{ findings: SecurityFinding[]; protocol?: string }> {
  let ca: string | undefined;
  if (checks.tls.ca !== undefined) {
    try {
      ca = await readFile(resolve(workdir, checks.tls.ca), 'utf8');
    } catch (error) {
      return {
        findings: [{ rule: 'tls.ca', message: `cannot read ${checks.tls.ca}: ${(error as Error).message}` }],
      };
    }
  }
  const probe = await probeTls(
    {
      host: origin.hostname.replace(/^\[|\]$/g, ''),
      port: Number(origin.port || 443),
      hostname,
      ...(ca !== undefined ? { ca } : {}),
      timeoutMs: options.timeoutMs,
    },
    olderTlsVersion(checks.tls.minVersion),
  );
  if (!probe.ok) return { findings: [{ rule: 'tls', message: probe.message }] };
  return {
    findings: tlsFindings(probe.observation, checks.tls, options.now),
    protocol: probe.observation.protocol,
  };
}

/** The page, following redirects within the endpoint's origin (a login page's headers count too). */
async function getPage(
  get: (url: string) => Promise<SecurityAnswer>,
  url: string,
  origin: string,
): Promise<{ answer: SecurityAnswer; url: string; redirectedTo?: string }> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const answer = await get(current);
    const location = answer.ok ? headerValue(answer.response.headers, 'location') : undefined;
    const status = answer.ok ? answer.response.status : 0;
    const next =
      location !== undefined && status >= 300 && status < 400 ? safeUrl(location, current) : undefined;
    if (!next || next.origin !== origin || hop >= MAX_REDIRECTS)
      return { answer, url: current, ...(current !== url ? { redirectedTo: pathOf(current) } : {}) };
    current = next.href;
  }
}

async function forbiddenPath(
  get: (url: string) => Promise<SecurityAnswer>,
  base: string,
  path: string,
  token: string,
): Promise<SecurityFinding[]> {
  const answer = await get(`${base}${path}`);
  if (!answer.ok) return [{ rule: 'forbiddenPaths', message: `GET ${path} failed: ${answer.message}` }];
  let decoy: SecurityResponse | undefined;
  if (answer.response.status >= 200 && answer.response.status < 300) {
    const other = await get(`${base}${decoyPath(path, token)}`);
    if (other.ok) decoy = other.response;
  }
  const finding = forbiddenPathFinding(path, answer.response, decoy);
  return finding ? [finding] : [];
}

/** Source maps served for the page's scripts and stylesheets, or embedded in them or in the page. */
async function sourceMaps(
  get: (url: string) => Promise<SecurityAnswer>,
  page: SecurityResponse,
  pageUrl: string,
): Promise<SecurityFinding[]> {
  const findings: SecurityFinding[] = [];
  const candidates = new Map<string, string>();
  const look = (response: SecurityResponse, url: string, guess: boolean) => {
    const refs = sourceMapRefs(response, url);
    if (refs.embedded)
      findings.push({ rule: 'sourceMaps', message: `${pathOf(url)} embeds a source map in a data: URL` });
    for (const map of refs.urls)
      if (!candidates.has(map)) candidates.set(map, `referenced by ${pathOf(url)}`);
    const guessed = guessedMapUrl(url);
    if (guess && !candidates.has(guessed)) candidates.set(guessed, `beside ${pathOf(url)}`);
  };
  look(page, pageUrl, false);
  const assets = pageAssets(page.head, pageUrl);
  const answers = await Promise.all(assets.map((url) => get(url)));
  answers.forEach((answer, i) => {
    const url = assets[i] as string;
    if (answer.ok && answer.response.status >= 200 && answer.response.status < 300)
      look(answer.response, url, true);
  });
  const maps = [...candidates];
  const served = await Promise.all(maps.map(([url]) => get(url)));
  served.forEach((answer, i) => {
    const [url, why] = maps[i] as [string, string];
    if (answer.ok && isSourceMap(answer.response))
      findings.push({ rule: 'sourceMaps', message: `source map ${pathOf(url)} is served (${why})` });
  });
  return findings;
}

function safeUrl(ref: string, base: string): URL | undefined {
  try {
    return new URL(ref, base);
  } catch {
    return undefined;
  }
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
