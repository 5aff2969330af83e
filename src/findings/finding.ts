/** One finding of a scanner, in the one model every report format is read into (SARIF 2.1.0, OSV, npm audit). */

/** How bad a finding is, most severe first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** One of SEVERITIES. */
export type Severity = (typeof SEVERITIES)[number];

/** Where a finding is: a file relative to the project, with a 1-based line and column when known. */
export interface FindingLocation {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

/** One finding of one tool. */
export interface Finding {
  /** The tool that reported it (SARIF `tool.driver.name`, `osv`, `npm audit`). */
  readonly tool: string;
  /** The rule or advisory id (`detect-eval-with-expression`, `GHSA-xxxx`, `CVE-...`). */
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly location?: FindingLocation;
  /**
   * The identity a baseline matches on: the report's own fingerprint (SARIF `partialFingerprints`
   * or `fingerprints`) when it has one, else one made from the tool, rule and location.
   */
  readonly fingerprint: string;
  /** Where `fingerprint` came from. */
  readonly fingerprintSource: 'report' | 'location';
}

/** The severity of a 0–10 score (CVSS, SARIF `security-severity`), as GitHub code scanning maps it. */
export function severityOfScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}
