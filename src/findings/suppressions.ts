/**
 * Applies suppressions to findings: a suppression matches a finding by rule or by fingerprint
 * (both must match when both are given), optionally narrowed to files matching a glob. A suppression
 * whose expiry date has passed no longer suppresses; the ones that would have matched are returned so
 * the caller can warn.
 */
import type { z } from 'zod';
import type { Finding } from './finding.js';
import { pathGlob } from './path-glob.js';
import type { suppressionSchema } from './suppressions-schema.js';

/** One suppression as written in the suppressions file. */
export type Suppression = z.output<typeof suppressionSchema>;

/** A finding and the suppression that suppressed it. */
export interface SuppressedFinding {
  readonly finding: Finding;
  readonly suppression: Suppression;
}

/** What suppressions did to a list of findings. */
export interface SuppressionOutcome {
  /** The findings no live suppression matches. */
  readonly kept: Finding[];
  readonly suppressed: SuppressedFinding[];
  /** Expired suppressions that matched a finding: they no longer suppress, and deserve a warning. */
  readonly expired: Suppression[];
}

/** True when `suppression` still applies on `today` (YYYY-MM-DD): its expiry day is today or later. */
export function isLive(suppression: Suppression, today: string): boolean {
  return suppression.expires >= today;
}

/** True when `suppression` names `finding`, expired or not. */
export function suppressionMatches(suppression: Suppression, finding: Finding): boolean {
  if (suppression.rule !== undefined && suppression.rule !== finding.rule) return false;
  if (suppression.fingerprint !== undefined && suppression.fingerprint !== finding.fingerprint) return false;
  if (suppression.path !== undefined) {
    const file = finding.location?.file;
    if (file === undefined || !globMatcher(suppression.path)(file)) return false;
  }
  return true;
}

/** Splits `findings` into kept and suppressed on `today` (YYYY-MM-DD), and lists the expired suppressions that matched. */
export function applySuppressions(
  findings: readonly Finding[],
  suppressions: readonly Suppression[],
  today: string,
): SuppressionOutcome {
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  if (suppressions.length === 0) return { kept: [...findings], suppressed, expired: [] };
  // Suppressions are indexed by fingerprint and by rule, so each finding looks at the few that can match.
  const byFingerprint = new Map<string, Suppression[]>();
  const byRule = new Map<string, Suppression[]>();
  for (const s of suppressions) {
    if (s.fingerprint !== undefined) push(byFingerprint, s.fingerprint, s);
    else if (s.rule !== undefined) push(byRule, s.rule, s);
  }
  const expired = new Set<Suppression>();
  for (const finding of findings) {
    const live =
      firstLive(byFingerprint.get(finding.fingerprint), finding, today, expired) ??
      firstLive(byRule.get(finding.rule), finding, today, expired);
    if (live === undefined) kept.push(finding);
    else suppressed.push({ finding, suppression: live });
  }
  return { kept, suppressed, expired: suppressions.filter((s) => expired.has(s)) };
}

// Compiled globs, shared by every call: a glob's matcher never changes.
const matchers = new Map<string, (path: string) => boolean>();

function globMatcher(glob: string): (path: string) => boolean {
  let matcher = matchers.get(glob);
  if (matcher === undefined) {
    matcher = pathGlob(glob);
    matchers.set(glob, matcher);
  }
  return matcher;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** The first of `candidates` that matches `finding` and is live; expired ones that match go to `expired`. */
function firstLive(
  candidates: readonly Suppression[] | undefined,
  finding: Finding,
  today: string,
  expired: Set<Suppression>,
): Suppression | undefined {
  if (candidates === undefined) return undefined;
  for (const s of candidates) {
    if (!suppressionMatches(s, finding)) continue;
    if (isLive(s, today)) return s;
    expired.add(s);
  }
  return undefined;
}
