/**
 * The dependency scan as a pure function: installed packages against OSV advisories, one finding per
 * affected package version and advisory, in the findings model every gate reads.
 */
import { createHash } from 'node:crypto';
import { type Finding, SEVERITIES, type Severity, severityOfScore } from '../findings/finding.js';
import { cvssV3BaseScore } from './cvss-v3.js';
import type { InstalledPackage } from './installed-package.js';
import { type AdvisoryMatch, matchAdvisory } from './osv/affected.js';
import type { OsvAdvisory, OsvSeverity } from './osv/osv-advisory.js';

/** Where the scan looks advisories up: an `AdvisoryDb`, offline or filled from the OSV API. */
export interface AdvisorySource {
  advisoriesFor(ecosystem: string, name: string): readonly OsvAdvisory[];
}

/** What to scan. */
export interface DependencyScanInput {
  readonly packages: readonly InstalledPackage[];
  readonly advisories: AdvisorySource;
  /** The tool findings are reported under; `osv` unless told. */
  readonly tool?: string;
}

/** The id findings use for an advisory: its GHSA id (own or alias), else its CVE, else its own id. */
export function ruleOf(advisory: OsvAdvisory): string {
  const ids = [advisory.id, ...(advisory.aliases ?? [])];
  return ids.find((id) => id.startsWith('GHSA-')) ?? ids.find((id) => id.startsWith('CVE-')) ?? advisory.id;
}

const WORDS: Readonly<Record<string, Severity>> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MODERATE: 'medium',
  MEDIUM: 'medium',
  LOW: 'low',
  NEGLIGIBLE: 'low',
};

function severityOfScores(scores: readonly OsvSeverity[]): Severity | undefined {
  for (const { type, score } of scores) {
    if (type === 'CVSS_V3') {
      const base = cvssV3BaseScore(score);
      if (base !== undefined) return severityOfScore(base);
    }
    if (type === 'Ubuntu' && WORDS[score.toUpperCase()] !== undefined) return WORDS[score.toUpperCase()];
  }
  return undefined;
}

/**
 * How bad a match is: the database's word (`database_specific.severity`, as GitHub writes it), else the
 * CVSS v3 base score of the package's or the advisory's vector, else medium (CVSS v4 is not scored here).
 */
export function severityOf(match: Pick<AdvisoryMatch, 'advisory' | 'affected'>): Severity {
  const word = match.advisory.database_specific?.severity ?? match.affected.database_specific?.severity;
  if (typeof word === 'string' && WORDS[word.toUpperCase()] !== undefined) return WORDS[word.toUpperCase()]!;
  return (
    severityOfScores(match.affected.severity ?? []) ??
    severityOfScores(match.advisory.severity ?? []) ??
    'medium'
  );
}

/** The baseline identity of a package version's advisory: sha256 of `ecosystem/name/version/rule`. */
export function dependencyFingerprint(
  pkg: Pick<InstalledPackage, 'ecosystem' | 'name' | 'version'>,
  rule: string,
) {
  return createHash('sha256').update(`${pkg.ecosystem}/${pkg.name}/${pkg.version}/${rule}`).digest('hex');
}

function messageOf(pkg: InstalledPackage, match: AdvisoryMatch, rule: string, others: number): string {
  const where = `${pkg.name}@${pkg.version} (${pkg.path}${pkg.dev ? ', dev dependency' : ''})`;
  const also = others > 0 ? `; also installed at ${others} other path${others === 1 ? '' : 's'}` : '';
  const summary = match.advisory.summary ?? match.advisory.details?.split('\n')[0] ?? 'no summary';
  const fix = match.fixed === undefined ? 'no fixed version known' : `fixed in ${match.fixed}`;
  return `${where} is affected by ${rule}: ${summary.trim()} (${fix}${also})`;
}

/**
 * Every advisory that covers an installed package version, as findings: rule the GHSA/CVE id, the
 * location the package's entry in its lockfile or status file, one finding per package version and
 * advisory (the first path it is installed at), most severe first.
 */
export function scanDependencies(input: DependencyScanInput): Finding[] {
  const tool = input.tool ?? 'osv';
  const found = new Map<
    string,
    { pkg: InstalledPackage; match: AdvisoryMatch; rule: string; at: Set<string> }
  >();
  for (const pkg of input.packages) {
    for (const advisory of input.advisories.advisoriesFor(pkg.ecosystem, pkg.name)) {
      const match = matchAdvisory(advisory, pkg.ecosystem, pkg.name, pkg.version);
      if (match === undefined) continue;
      const rule = ruleOf(advisory);
      const fingerprint = dependencyFingerprint(pkg, rule);
      const seen = found.get(fingerprint) ?? { pkg, match, rule, at: new Set<string>() };
      seen.at.add(`${pkg.file}\u0000${pkg.path}`);
      found.set(fingerprint, seen);
    }
  }
  const findings = [...found].map(
    ([fingerprint, { pkg, match, rule, at }]): Finding => ({
      tool,
      rule,
      severity: severityOf(match),
      message: messageOf(pkg, match, rule, at.size - 1),
      location: pkg.line === undefined ? { file: pkg.file } : { file: pkg.file, line: pkg.line },
      fingerprint,
      fingerprintSource: 'report',
    }),
  );
  const rank = (f: Finding) => SEVERITIES.indexOf(f.severity);
  return findings.sort(
    (a, b) => rank(a) - rank(b) || a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message),
  );
}
