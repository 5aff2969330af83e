/**
 * The severity gate of a job's findings: a finding counts when it is at or above `failOn`, no live
 * suppression matches it and, with `newOnly`, it is not in the baseline; the job fails when one counts.
 * Pure: it returns what it decided, with the counts and warnings a run shows, and never throws.
 */
import { newSince } from './baseline.js';
import { type Finding, SEVERITIES, type Severity } from './finding.js';
import { applySuppressions, type SuppressedFinding, type Suppression } from './suppressions.js';

/** The lowest severity that fails a job, or `none` to report without failing. */
export type FailOn = Severity | 'none';

/** How to gate. */
export interface GateOptions {
  readonly failOn: FailOn;
  /** Count only findings not in `baseline`. */
  readonly newOnly: boolean;
  /** The findings of the default branch's last successful run; absent when there is none yet. */
  readonly baseline?: readonly Finding[];
  readonly suppressions: readonly Suppression[];
  /** The day suppressions are checked against, YYYY-MM-DD (UTC). */
  readonly today: string;
}

/** Findings per severity. */
export type SeverityCounts = Record<Severity, number>;

/** What the gate decided, and why. */
export interface GateResult {
  readonly status: 'passed' | 'failed';
  readonly failOn: FailOn;
  readonly newOnly: boolean;
  /** The findings that count against the gate: the job fails when there is one. */
  readonly counted: Finding[];
  /** `counted` per severity. */
  readonly counts: SeverityCounts;
  /** Every finding per severity, suppressed or not, new or not. */
  readonly totals: SeverityCounts;
  readonly suppressed: SuppressedFinding[];
  /** Suppressions past their expiry date that matched a finding: they no longer suppress. */
  readonly expired: Suppression[];
  /** With `newOnly`, how many findings above the threshold the baseline already had. */
  readonly inBaseline: number;
  /** One line saying what was decided, for the job log. */
  readonly message: string;
  /** Lines to print as warnings: expired suppressions, a missing baseline. */
  readonly warnings: string[];
}

const RANK: Readonly<Record<Severity, number>> = Object.fromEntries(
  SEVERITIES.map((s, i) => [s, i]),
) as Record<Severity, number>;

/** True when `severity` is at or above `failOn`. */
export function atOrAbove(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'none' && RANK[severity] <= RANK[failOn];
}

/** Gates `findings`: counts, suppressions, baseline, and the verdict. */
export function gateFindings(findings: readonly Finding[], options: GateOptions): GateResult {
  const { failOn, newOnly, today } = options;
  const totals = countBySeverity(findings);
  const { kept, suppressed, expired } = applySuppressions(findings, options.suppressions, today);
  const warnings = expired.map(
    (s) =>
      `suppression of ${describeSuppression(s)} expired on ${s.expires} (${s.author}: ${s.reason}); its findings count again`,
  );
  const gated = kept.filter((f) => atOrAbove(f.severity, failOn));
  let counted = gated;
  if (newOnly) {
    if (options.baseline === undefined)
      warnings.push(
        'newOnly: no baseline yet (no successful run of the default branch), so every finding counts',
      );
    else counted = newSince(gated, options.baseline);
  }
  const counts = countBySeverity(counted);
  const status = counted.length > 0 ? 'failed' : 'passed';
  return {
    status,
    failOn,
    newOnly,
    counted,
    counts,
    totals,
    suppressed,
    expired,
    inBaseline: gated.length - counted.length,
    message: gateMessage(status, failOn, newOnly && options.baseline !== undefined, counts, findings.length, {
      suppressed: suppressed.length,
      inBaseline: gated.length - counted.length,
    }),
    warnings,
  };
}

/** How many of `findings` have each severity. */
export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

function describeSuppression(s: Suppression): string {
  const parts = [s.rule, s.fingerprint === undefined ? undefined : `fingerprint ${s.fingerprint}`];
  const what = parts.filter((p) => p !== undefined).join(' ');
  return s.path === undefined ? what : `${what} in ${s.path}`;
}

function gateMessage(
  status: 'passed' | 'failed',
  failOn: FailOn,
  newOnly: boolean,
  counts: SeverityCounts,
  total: number,
  notCounted: { readonly suppressed: number; readonly inBaseline: number },
): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const notes = [`${plural(total, 'finding')} in all`];
  if (notCounted.suppressed > 0) notes.push(`${notCounted.suppressed} suppressed`);
  if (newOnly) notes.push(`${notCounted.inBaseline} at or above ${failOn} already in the baseline`);
  if (failOn === 'none') return `findings not gated (failOn: none): ${notes.join(', ')}`;
  const kind = newOnly ? 'new finding' : 'finding';
  if (status === 'passed') return `findings passed: no ${kind}s at or above ${failOn} (${notes.join(', ')})`;
  const bySeverity = SEVERITIES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
  const n = SEVERITIES.reduce((sum, s) => sum + counts[s], 0);
  return `findings failed: ${plural(n, kind)} at or above ${failOn} (${bySeverity}; ${notes.join(', ')})`;
}
