/**
 * Whether one package version is affected by an OSV advisory, following the schema's evaluation
 * algorithm exactly: a version is affected when it is in an affected entry's `versions` list or inside
 * one of its ranges (events sorted; `introduced` inclusive with `"0"` before everything; `fixed`
 * exclusive; `last_affected` inclusive; `limit` an exclusive ceiling, `"*"` infinity).
 */
import semver from 'semver';
import { compareDebianVersions } from './debian-version.js';
import type { OsvAdvisory, OsvAffected, OsvEvent, OsvRange } from './osv-advisory.js';

/** Negative, zero or positive; undefined when either string is no version of this order. */
export type VersionCompare = (a: string, b: string) => number | undefined;

/** SemVer 2.0 precedence (section 11), prereleases included, build metadata ignored. */
export const compareSemver: VersionCompare = (a, b) => {
  const left = semver.parse(a);
  const right = semver.parse(b);
  return left === null || right === null ? undefined : left.compare(right);
};

/** The ecosystem part of an OSV ecosystem string: `Debian` for `Debian:12`. */
export function baseEcosystem(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return colon < 0 ? ecosystem : ecosystem.slice(0, colon);
}

/**
 * The order of a range's versions: SEMVER ranges are SemVer; ECOSYSTEM ranges are SemVer for npm (npm
 * versions are SemVer) and Debian's order for Debian and Ubuntu; other ecosystems and GIT ranges have
 * none here, so only their `versions` lists count.
 */
export function versionOrderOf(rangeType: string, ecosystem: string): VersionCompare | undefined {
  if (rangeType === 'SEMVER') return compareSemver;
  if (rangeType !== 'ECOSYSTEM') return undefined;
  switch (baseEcosystem(ecosystem)) {
    case 'npm':
      return compareSemver;
    case 'Debian':
    case 'Ubuntu':
      return compareDebianVersions;
    default:
      return undefined;
  }
}

/** True when an advisory for `advisoryEcosystem` covers a package of `ecosystem` (`Debian` covers `Debian:12`). */
export function ecosystemCovers(advisoryEcosystem: string, ecosystem: string): boolean {
  return advisoryEcosystem === ecosystem || advisoryEcosystem === baseEcosystem(ecosystem);
}

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
interface Event {
  readonly kind: Kind;
  readonly value: string;
}

const eventOf = (event: OsvEvent): Event => {
  const [kind, value] = Object.entries(event).find(([key]) => KIND_RANK[key as Kind] !== undefined) ?? [];
  return { kind: kind as Kind, value: String(value) };
};

// Equal versions sort `introduced` first, so `introduced: X, fixed: X` is an empty range.
const KIND_RANK: Readonly<Record<Kind, number>> = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 };

/** What a range says about one version: affected (with the fix after it, if any), not affected, or unknown. */
type RangeAnswer =
  | { readonly status: 'affected'; readonly fixed?: string }
  | { readonly status: 'not_affected' | 'unknown' };

function evaluateRange(range: OsvRange, ecosystem: string, version: string): RangeAnswer {
  const compare = versionOrderOf(range.type, ecosystem);
  if (compare === undefined || compare(version, version) === undefined) return { status: 'unknown' };
  const events = range.events.map(eventOf);
  const isMin = (e: Event) => e.kind === 'introduced' && e.value === '0';
  const isInfinite = (e: Event) => e.kind === 'limit' && e.value.includes('*');
  // A range whose own versions are not of its order cannot be placed; it says nothing.
  if (events.some((e) => !isMin(e) && !isInfinite(e) && compare(e.value, e.value) === undefined)) {
    return { status: 'unknown' };
  }
  const cmp = (a: Event, b: Event): number => {
    if (isMin(a) || isMin(b)) return isMin(a) && isMin(b) ? 0 : isMin(a) ? -1 : 1;
    if (isInfinite(a) || isInfinite(b)) return isInfinite(a) && isInfinite(b) ? 0 : isInfinite(a) ? 1 : -1;
    return compare(a.value, b.value) ?? 0;
  };
  const here: Event = { kind: 'fixed', value: version };
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((limit) => cmp(here, limit) < 0)) return { status: 'not_affected' };
  const timeline = events
    .filter((e) => e.kind !== 'limit')
    .sort((a, b) => cmp(a, b) || KIND_RANK[a.kind] - KIND_RANK[b.kind]);
  let vulnerable = false;
  for (const event of timeline) {
    if (event.kind === 'introduced' && cmp(here, event) >= 0) vulnerable = true;
    else if (event.kind === 'fixed' && cmp(here, event) >= 0) vulnerable = false;
    else if (event.kind === 'last_affected' && cmp(here, event) > 0) vulnerable = false;
  }
  if (!vulnerable) return { status: 'not_affected' };
  const fixed = timeline.find((e) => e.kind === 'fixed' && cmp(here, e) < 0)?.value;
  return fixed === undefined ? { status: 'affected' } : { status: 'affected', fixed };
}

/** One affected entry of an advisory that covers a package version, with the version that fixes it. */
export interface AdvisoryMatch {
  readonly advisory: OsvAdvisory;
  readonly affected: OsvAffected;
  /** The first `fixed` event after the version, in the range that matched; absent when unknown or unfixed. */
  readonly fixed?: string;
}

/**
 * The affected entry through which `advisory` covers `name@version` of `ecosystem`, or undefined; a
 * withdrawn advisory covers nothing.
 */
export function matchAdvisory(
  advisory: OsvAdvisory,
  ecosystem: string,
  name: string,
  version: string,
): AdvisoryMatch | undefined {
  if (advisory.withdrawn !== undefined) return undefined;
  for (const affected of advisory.affected ?? []) {
    if (affected.package.name !== name || !ecosystemCovers(affected.package.ecosystem, ecosystem)) continue;
    let listed = (affected.versions ?? []).includes(version);
    let fixed: string | undefined;
    for (const range of affected.ranges ?? []) {
      const answer = evaluateRange(range, affected.package.ecosystem, version);
      if (answer.status === 'affected') {
        listed = true;
        fixed ??= answer.fixed;
      }
    }
    if (listed) return fixed === undefined ? { advisory, affected } : { advisory, affected, fixed };
  }
  return undefined;
}

/** True when `name@version` of `ecosystem` is affected by `advisory` (OSV's `IsVulnerable`). */
export function isAffected(advisory: OsvAdvisory, ecosystem: string, name: string, version: string): boolean {
  return matchAdvisory(advisory, ecosystem, name, version) !== undefined;
}
