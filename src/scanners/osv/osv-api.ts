/**
 * The online advisory source: OSV's API (https://google.github.io/osv.dev/api/). One `POST
 * /v1/querybatch` names the advisories of each package version, then `GET /v1/vulns/{id}` fetches each
 * full record. Where the API cannot be reached, `resolveAdvisories` falls back to the offline database
 * and says so.
 */
import { ScanError } from '../errors.js';
import type { InstalledPackage } from '../installed-package.js';
import { AdvisoryDb } from './advisory-db.js';
import { type OsvAdvisory, parseOsvAdvisory } from './osv-advisory.js';

/** OSV's public API. */
export const OSV_API_URL = 'https://api.osv.dev';

/** OSV allows at most this many queries in one batch. */
export const QUERYBATCH_LIMIT = 1000;

/** One query of a batch: a package version. */
export interface OsvQuery {
  readonly package: { readonly ecosystem: string; readonly name: string };
  readonly version: string;
}

/** How to reach the API; `fetch` is injectable so callers can set proxies or timeouts. */
export interface OsvApiOptions {
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  /** Per request; 30 s unless told. */
  readonly timeoutMs?: number;
}

/** The querybatch bodies for `packages`: one query per distinct package version, at most 1000 per body. */
export function querybatchRequests(packages: readonly InstalledPackage[]): { queries: OsvQuery[] }[] {
  const seen = new Map<string, OsvQuery>();
  for (const p of packages) {
    const key = `${p.ecosystem}\u0000${p.name}\u0000${p.version}`;
    if (!seen.has(key))
      seen.set(key, { package: { ecosystem: p.ecosystem, name: p.name }, version: p.version });
  }
  const queries = [...seen.values()];
  const bodies: { queries: OsvQuery[] }[] = [];
  for (let i = 0; i < queries.length; i += QUERYBATCH_LIMIT) {
    bodies.push({ queries: queries.slice(i, i + QUERYBATCH_LIMIT) });
  }
  return bodies;
}

/** The advisory ids a querybatch response names for its `count` queries, in order; a bad shape is refused. */
export function parseQuerybatchResponse(body: unknown, count: number): string[][] {
  const results = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(results) || results.length !== count) {
    throw new ScanError(
      'SCAN_OSV_API_FAILED',
      `OSV querybatch answered ${count} queries with no matching "results"`,
    );
  }
  return results.map((result: unknown, i) => {
    const vulns = (result as { vulns?: unknown } | null)?.vulns ?? [];
    if (!Array.isArray(vulns))
      throw new ScanError('SCAN_OSV_API_FAILED', `OSV querybatch: results[${i}].vulns`);
    return vulns.map((vuln: unknown, j) => {
      const id = (vuln as { id?: unknown } | null)?.id;
      if (typeof id !== 'string')
        throw new ScanError('SCAN_OSV_API_FAILED', `OSV querybatch: results[${i}].vulns[${j}]`);
      return id;
    });
  });
}

/** The URL of one advisory's full record. */
export function vulnUrl(baseUrl: string, id: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/v1/vulns/${encodeURIComponent(id)}`;
}

async function requestJson(url: string, init: RequestInit, options: OsvApiOptions): Promise<unknown> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    const why = `${(error as Error).message}${cause === undefined ? '' : ` (${cause})`}`;
    throw new ScanError('SCAN_OSV_API_UNREACHABLE', `OSV API not reachable: ${url}: ${why}`, {
      cause: error,
    });
  }
  if (!response.ok) {
    throw new ScanError(
      'SCAN_OSV_API_FAILED',
      `OSV API answered ${response.status} to ${init.method} ${url}`,
    );
  }
  try {
    return await response.json();
  } catch (error) {
    throw new ScanError('SCAN_OSV_API_FAILED', `OSV API: ${url} answered no JSON`, { cause: error });
  }
}

/** The full advisories OSV's API knows for `packages`. */
export async function fetchOsvAdvisories(
  packages: readonly InstalledPackage[],
  options: OsvApiOptions = {},
): Promise<OsvAdvisory[]> {
  const base = (options.baseUrl ?? OSV_API_URL).replace(/\/+$/, '');
  const ids = new Set<string>();
  for (const body of querybatchRequests(packages)) {
    const answer = await requestJson(
      `${base}/v1/querybatch`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      options,
    );
    for (const list of parseQuerybatchResponse(answer, body.queries.length))
      for (const id of list) ids.add(id);
  }
  const advisories: OsvAdvisory[] = [];
  for (const id of ids) {
    const url = vulnUrl(base, id);
    advisories.push(parseOsvAdvisory(await requestJson(url, { method: 'GET' }, options), url));
  }
  return advisories;
}

/** Where a scan's advisories came from, and what the reader should know about it. */
export interface ResolvedAdvisories {
  readonly source: 'api' | 'offline';
  readonly db: AdvisoryDb;
  readonly warnings: readonly string[];
}

/**
 * The API's advisories for `packages`; when the API cannot be reached and an offline database is given,
 * that database with a warning naming why. Without one, the `SCAN_OSV_API_UNREACHABLE` error stands.
 */
export async function resolveAdvisories(
  packages: readonly InstalledPackage[],
  options: OsvApiOptions & { readonly offline?: AdvisoryDb },
): Promise<ResolvedAdvisories> {
  try {
    const online = await fetchOsvAdvisories(packages, options);
    const db = AdvisoryDb.of(online);
    return { source: 'api', db, warnings: [] };
  } catch (error) {
    if (
      !(error instanceof ScanError) ||
      error.code !== 'SCAN_OSV_API_UNREACHABLE' ||
      options.offline === undefined
    ) {
      throw error;
    }
    return {
      source: 'offline',
      db: options.offline,
      warnings: [
        `${error.message}; using the offline advisory database (${options.offline.size} advisor${options.offline.size === 1 ? 'y' : 'ies'})`,
      ],
    };
  }
}
