/**
 * Reads osv-scanner's JSON output (`osv-scanner --format json`) into findings: one per vulnerable
 * package and vulnerability group (osv-scanner groups the records that alias each other, such as a
 * GHSA and the Go advisory of the same CVE). An OSV record alone says what is vulnerable, not that
 * this project is, so it is not a report.
 *
 * The rule is the group's GHSA id when it has one, else its CVE, else its first id, so the same
 * advisory has the same rule here as in npm audit. Severity is the worst `database_specific.severity`
 * of the group's records (CRITICAL, HIGH, MODERATE, LOW), else the group's CVSS score
 * (`max_severity`, or a numeric `severity[].score`) mapped like SARIF's `security-severity`, else
 * medium: an advisory of unknown severity is not ignored, nor does it fail a `failOn: high` gate.
 */
import { z } from 'zod';
import type { Finding, Severity } from './finding.js';
import { severityOfScore } from './finding.js';
import { projectPath } from './project-path.js';
import { parseReportShape } from './report-shape.js';

/** The tool name of osv-scanner's findings. */
export const OSV_TOOL = 'osv';

const vulnerabilitySchema = z.looseObject({
  id: z.string().min(1),
  aliases: z.array(z.string()).nullish(),
  summary: z.string().nullish(),
  details: z.string().nullish(),
  severity: z.array(z.looseObject({ type: z.string(), score: z.string() })).nullish(),
  database_specific: z.looseObject({ severity: z.string().nullish() }).nullish(),
});

const osvOutputSchema = z.looseObject({
  results: z
    .array(
      z.looseObject({
        source: z.looseObject({ path: z.string(), type: z.string().optional() }).optional(),
        // osv-scanner before 1.0 named `source` `packageSource`.
        packageSource: z.looseObject({ path: z.string() }).optional(),
        packages: z
          .array(
            z.looseObject({
              package: z.looseObject({
                name: z.string().min(1),
                version: z.string().optional(),
                ecosystem: z.string(),
              }),
              vulnerabilities: z.array(vulnerabilitySchema).nullish(),
              groups: z
                .array(
                  z.looseObject({
                    ids: z.array(z.string()).min(1),
                    aliases: z.array(z.string()).nullish(),
                    max_severity: z.string().nullish(),
                  }),
                )
                .nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .nullable(),
});

type OsvVulnerability = z.output<typeof vulnerabilitySchema>;

interface OsvGroup {
  readonly ids: readonly string[];
  readonly aliases?: readonly string[] | null;
  readonly max_severity?: string | null;
}

/** Where an osv-scanner report came from. */
export interface ReadOsvOptions {
  readonly file: string;
  /** The absolute project directory; lockfile paths under it become relative. */
  readonly projectRoot?: string;
}

/** The findings of parsed osv-scanner JSON output. */
export function readOsv(doc: unknown, options: ReadOsvOptions): Finding[] {
  const output = parseReportShape(osvOutputSchema, doc, options.file, 'osv-scanner JSON output');
  const findings: Finding[] = [];
  for (const result of output.results ?? []) {
    const sourcePath = result.source?.path ?? result.packageSource?.path;
    const file = sourcePath === undefined ? undefined : projectPath(sourcePath, options.projectRoot);
    for (const pkg of result.packages ?? []) {
      const { name, version, ecosystem } = pkg.package;
      const vulns = pkg.vulnerabilities ?? [];
      const byId = new Map(vulns.map((v) => [v.id, v]));
      const groups: readonly OsvGroup[] = pkg.groups?.length
        ? pkg.groups
        : vulns.map((v) => ({ ids: [v.id], aliases: v.aliases }));
      for (const group of groups) {
        const records = group.ids.map((id) => byId.get(id)).filter((v) => v !== undefined);
        const names = new Set([
          ...group.ids,
          ...(group.aliases ?? []),
          ...records.flatMap((v) => v.aliases ?? []),
        ]);
        const rule = preferredId(group.ids, names);
        const summary =
          records.find((v) => v.summary)?.summary ?? records.find((v) => v.details)?.details ?? '';
        const at = version === undefined ? name : `${name}@${version}`;
        findings.push({
          tool: OSV_TOOL,
          rule,
          severity: groupSeverity(records, group.max_severity),
          message: summary === '' ? `${at} is affected by ${rule}` : `${at}: ${summary}`,
          ...(file === undefined ? {} : { location: { file } }),
          fingerprint: `${ecosystem}/${name}@${version ?? ''}/${rule}`,
          fingerprintSource: 'report',
        });
      }
    }
  }
  return findings;
}

/** The id an advisory is known by across tools: its GHSA id, else its CVE, else `ids[0]`. */
export function preferredId(ids: readonly string[], names: ReadonlySet<string>): string {
  const sorted = [...names].sort();
  return (
    sorted.find((n) => n.startsWith('GHSA-')) ??
    sorted.find((n) => n.startsWith('CVE-')) ??
    ids[0] ??
    sorted[0]!
  );
}

const DATABASE_SEVERITY: Readonly<Record<string, Severity>> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MODERATE: 'medium',
  MEDIUM: 'medium',
  LOW: 'low',
};

const RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

function groupSeverity(
  records: readonly OsvVulnerability[],
  maxSeverity: string | null | undefined,
): Severity {
  let worst: Severity | undefined;
  for (const v of records) {
    const s = DATABASE_SEVERITY[(v.database_specific?.severity ?? '').toUpperCase()];
    if (s !== undefined && (worst === undefined || RANK[s] < RANK[worst])) worst = s;
  }
  if (worst !== undefined) return worst;
  const scores = [maxSeverity, ...records.flatMap((v) => (v.severity ?? []).map((s) => s.score))]
    .map((s) => (s === null || s === undefined || s.trim() === '' ? NaN : Number(s)))
    .filter((n) => Number.isFinite(n));
  return scores.length === 0 ? 'medium' : severityOfScore(Math.max(...scores));
}
