/**
 * The parts of the OSV schema (https://ossf.github.io/osv-schema/) the scanners read: the format of the
 * OSV database, of GitHub's advisory database and of OSV's API, plus a shape check for files read from disk.
 */
import { ScanError } from '../errors.js';

/** One event of a range's timeline; exactly one of the four fields is set. */
export type OsvEvent =
  | { readonly introduced: string }
  | { readonly fixed: string }
  | { readonly last_affected: string }
  | { readonly limit: string };

/** How a range's event versions are ordered. */
export type OsvRangeType = 'SEMVER' | 'ECOSYSTEM' | 'GIT';

/** One range of affected versions, as a timeline of events. */
export interface OsvRange {
  readonly type: OsvRangeType;
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
  readonly database_specific?: Readonly<Record<string, unknown>>;
}

/** A quantitative severity: a CVSS vector (or another scale OSV defines). */
export interface OsvSeverity {
  readonly type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'Ubuntu' | (string & {});
  readonly score: string;
}

/** The package an `affected` entry is about. */
export interface OsvPackage {
  /** `npm`, `Debian:12`, `PyPI`, ... */
  readonly ecosystem: string;
  readonly name: string;
  readonly purl?: string;
}

/** One affected package with its versions. */
export interface OsvAffected {
  readonly package: OsvPackage;
  readonly severity?: readonly OsvSeverity[];
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
  readonly ecosystem_specific?: Readonly<Record<string, unknown>>;
  readonly database_specific?: Readonly<Record<string, unknown>>;
}

/** One OSV advisory (the schema calls it a vulnerability). */
export interface OsvAdvisory {
  readonly schema_version?: string;
  readonly id: string;
  readonly modified: string;
  readonly published?: string;
  readonly withdrawn?: string;
  readonly aliases?: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly severity?: readonly OsvSeverity[];
  readonly affected?: readonly OsvAffected[];
  /** GitHub's database puts its word severity here: `{ severity: 'HIGH' }`. */
  readonly database_specific?: Readonly<Record<string, unknown>> & { readonly severity?: string };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `value` as an advisory when it has the fields evaluation relies on (id, modified, affected packages,
 * ranges with events); `source` names the file or URL in the error.
 */
export function parseOsvAdvisory(value: unknown, source: string): OsvAdvisory {
  const fail = (why: string): never => {
    throw new ScanError('SCAN_ADVISORY_INVALID', `${source}: not an OSV advisory: ${why}`);
  };
  if (!isObject(value)) return fail('not a JSON object');
  if (typeof value.id !== 'string' || value.id === '') return fail('no "id"');
  if (typeof value.modified !== 'string') return fail(`${value.id}: no "modified"`);
  const affected = value.affected ?? [];
  if (!Array.isArray(affected)) return fail(`${value.id}: "affected" is not an array`);
  for (const [i, entry] of (affected as unknown[]).entries()) {
    const at = `${value.id}: affected[${i}]`;
    if (!isObject(entry) || !isObject(entry.package)) return fail(`${at}: no "package"`);
    if (typeof entry.package.ecosystem !== 'string' || typeof entry.package.name !== 'string') {
      return fail(`${at}.package: needs "ecosystem" and "name"`);
    }
    if (entry.versions !== undefined && !Array.isArray(entry.versions)) {
      return fail(`${at}.versions is not an array`);
    }
    const ranges = entry.ranges ?? [];
    if (!Array.isArray(ranges)) return fail(`${at}.ranges is not an array`);
    for (const [j, range] of (ranges as unknown[]).entries()) {
      if (!isObject(range) || typeof range.type !== 'string' || !Array.isArray(range.events)) {
        return fail(`${at}.ranges[${j}]: needs "type" and "events"`);
      }
      for (const [k, event] of (range.events as unknown[]).entries()) {
        if (!isObject(event) || !EVENT_KEYS.some((key) => typeof event[key] === 'string')) {
          return fail(`${at}.ranges[${j}].events[${k}]: not an introduced/fixed/last_affected/limit event`);
        }
      }
    }
  }
  // The checks above cover what evaluation reads; the rest of the record is passed through as OSV wrote it.
  return value as unknown as OsvAdvisory;
}

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
