/**
 * Reads `npm audit --json` (npm 7 and later, `auditReportVersion: 2`) into findings: one per advisory
 * on a package, that is each object in a vulnerability's `via` (a string there names a vulnerable
 * dependency, whose own entry carries the advisory). The rule is the advisory's GHSA id, taken from its
 * URL, else its npm source number; npm's severities map critical, high and moderate to critical, high
 * and medium, low and info to low.
 */
import { z } from 'zod';
import type { Finding, Severity } from './finding.js';
import { parseReportShape } from './report-shape.js';

/** The tool name of `npm audit`'s findings. */
export const NPM_AUDIT_TOOL = 'npm audit';

const NPM_SEVERITY = ['critical', 'high', 'moderate', 'low', 'info'] as const;

const advisorySchema = z.looseObject({
  source: z.union([z.number(), z.string()]),
  name: z.string().optional(),
  title: z.string().optional(),
  url: z.string().optional(),
  severity: z.enum(NPM_SEVERITY),
  range: z.string().optional(),
});

const npmAuditSchema = z.looseObject({
  auditReportVersion: z.literal(2),
  vulnerabilities: z.record(
    z.string(),
    z.looseObject({
      name: z.string().min(1),
      severity: z.enum(NPM_SEVERITY),
      via: z.array(z.union([z.string(), advisorySchema])),
      range: z.string().optional(),
      fixAvailable: z
        .union([z.boolean(), z.looseObject({ name: z.string(), version: z.string() })])
        .optional(),
    }),
  ),
});

const SEVERITY: Readonly<Record<(typeof NPM_SEVERITY)[number], Severity>> = {
  critical: 'critical',
  high: 'high',
  moderate: 'medium',
  low: 'low',
  info: 'low',
};

/** Where an npm audit report came from. */
export interface ReadNpmAuditOptions {
  readonly file: string;
  /** The lockfile findings point at, relative to the project (default `package-lock.json`). */
  readonly lockfile?: string;
}

/** The findings of parsed `npm audit --json` output. */
export function readNpmAudit(doc: unknown, options: ReadNpmAuditOptions): Finding[] {
  const report = parseReportShape(npmAuditSchema, doc, options.file, 'npm audit JSON (npm 7+)');
  const file = options.lockfile ?? 'package-lock.json';
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const entry of Object.values(report.vulnerabilities)) {
    for (const via of entry.via) {
      if (typeof via === 'string') continue;
      const rule = /GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}/i.exec(via.url ?? '')?.[0] ?? String(via.source);
      const range = via.range ?? entry.range ?? '';
      const fingerprint = `npm/${entry.name}@${range}/${rule}`;
      if (seen.has(fingerprint)) continue;
      seen.add(fingerprint);
      const fix =
        entry.fixAvailable === undefined
          ? ''
          : entry.fixAvailable === false
            ? '; no fix available'
            : entry.fixAvailable === true
              ? '; fix available via `npm audit fix`'
              : `; fix available by updating ${entry.fixAvailable.name} to ${entry.fixAvailable.version}`;
      findings.push({
        tool: NPM_AUDIT_TOOL,
        rule,
        severity: SEVERITY[via.severity],
        message: `${entry.name} ${range}: ${via.title ?? rule}${fix}`,
        location: { file },
        fingerprint,
        fingerprintSource: 'report',
      });
    }
  }
  return findings;
}
