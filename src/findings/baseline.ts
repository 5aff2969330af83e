/**
 * Tells the new findings from those already in the baseline (the findings of the default branch's
 * last successful run).
 *
 * Two findings are the same when both carry a fingerprint from their report (SARIF
 * `partialFingerprints`/`fingerprints`, OSV and npm audit identities) and those are equal, for the same
 * tool. When either lacks one, they are the same when tool, rule, file and message are equal: not the
 * line, which shifts whenever code above it changes, while the message names what was found (the
 * variable, the call). Two findings with report fingerprints that differ are never matched by location.
 * Each baseline finding accounts for at most one current finding, so a second copy of a known problem
 * in the same file is new. Maps keep it linear: 100,000 findings against 100,000 take tens of ms.
 */
import type { Finding } from './finding.js';

/**
 * Indexes of findings by tool, rule, file and message, in nested maps: the strings come from parsed
 * reports and cache their hashes, where a joined key would be built and hashed for every finding.
 */
class LocationIndex {
  readonly #byTool = new Map<string, Map<string, Map<string, Map<string, number[]>>>>();

  add(f: Finding, index: number): void {
    const byMessage = child(child(child(this.#byTool, f.tool), f.rule), f.location?.file ?? '');
    const list = byMessage.get(f.message);
    if (list === undefined) byMessage.set(f.message, [index]);
    else list.push(index);
  }

  /** An index at `b`'s location not yet `matched`, now marked matched; undefined when there is none. */
  claim(b: Finding, matched: Uint8Array): number | undefined {
    const list = this.#byTool
      .get(b.tool)
      ?.get(b.rule)
      ?.get(b.location?.file ?? '')
      ?.get(b.message);
    if (list === undefined) return undefined;
    while (list.length > 0) {
      const i = list.shift()!;
      if (matched[i] === 0) {
        matched[i] = 1;
        return i;
      }
    }
    return undefined;
  }
}

function child<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let next = map.get(key);
  if (next === undefined) {
    next = new Map();
    map.set(key, next);
  }
  return next;
}

/** The findings of `findings` that are not in `baseline`, in their order. */
export function newSince(findings: readonly Finding[], baseline: readonly Finding[]): Finding[] {
  // The current findings with a report fingerprint, by tool and fingerprint (nested maps: no key
  // strings to build). The gated findings are usually fewer than the baseline, so they are indexed and
  // the baseline streams past them.
  const byReport = new Map<string, Map<string, number | number[]>>();
  findings.forEach((f, i) => {
    if (f.fingerprintSource !== 'report') return;
    const byFingerprint = child(byReport, f.tool);
    const seen = byFingerprint.get(f.fingerprint);
    if (seen === undefined) byFingerprint.set(f.fingerprint, i);
    else if (Array.isArray(seen)) seen.push(i);
    else byFingerprint.set(f.fingerprint, [seen, i]);
  });
  // First the exact matches, so a location match never takes a baseline finding a fingerprint claims.
  const matched = new Uint8Array(findings.length);
  const locationOnly: Finding[] = [];
  const unclaimedReported: Finding[] = [];
  for (const b of baseline) {
    if (b.fingerprintSource !== 'report') locationOnly.push(b);
    else {
      const i = claim(byReport.get(b.tool), b.fingerprint);
      if (i === undefined) unclaimedReported.push(b);
      else matched[i] = 1;
    }
  }
  // Then by location, for the current findings still unmatched (few): any of them may be a baseline
  // finding without a report fingerprint; those without one may be any unclaimed baseline finding.
  const anyIndex = new LocationIndex();
  const locationIndex = new LocationIndex();
  let unmatched = 0;
  findings.forEach((f, i) => {
    if (matched[i] === 1) return;
    unmatched++;
    anyIndex.add(f, i);
    if (f.fingerprintSource !== 'report') locationIndex.add(f, i);
  });
  if (unmatched > 0) {
    for (const b of locationOnly) anyIndex.claim(b, matched);
    for (const b of unclaimedReported) locationIndex.claim(b, matched);
  }
  return findings.filter((_, i) => matched[i] === 0);
}

/** Takes one current finding of `fingerprint` out of `byFingerprint`: its index, if there was one. */
function claim(
  byFingerprint: Map<string, number | number[]> | undefined,
  fingerprint: string,
): number | undefined {
  const seen = byFingerprint?.get(fingerprint);
  if (seen === undefined) return undefined;
  if (!Array.isArray(seen)) {
    byFingerprint!.delete(fingerprint);
    return seen;
  }
  const i = seen.shift()!;
  if (seen.length === 0) byFingerprint!.delete(fingerprint);
  return i;
}
