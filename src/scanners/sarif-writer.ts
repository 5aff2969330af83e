/**
 * Writes findings as a SARIF 2.1.0 log, so a Slipway scanner feeds the same gate (and GitHub code
 * scanning) as any other SARIF tool: rules with `security-severity`, results with physical locations and
 * the finding's fingerprint in `partialFingerprints`.
 */
import type { Finding, Severity } from '../findings/finding.js';

/** The scanner that produced the findings (SARIF `tool.driver`). */
export interface SarifToolInfo {
  readonly name: string;
  readonly version?: string;
  readonly informationUri?: string;
}

/** What the log says about one rule, beyond its id. */
export interface SarifRuleInfo {
  readonly description?: string;
  readonly helpUri?: string;
}

/** A SARIF 2.1.0 log as this writer produces it (a subset of the schema). */
export interface WrittenSarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly [
    {
      readonly tool: { readonly driver: Record<string, unknown> };
      readonly results: readonly Record<string, unknown>[];
    },
  ];
}

/** The key findings' fingerprints are written under in `partialFingerprints`. */
export const FINGERPRINT_KEY = 'slipwayFingerprint/v1';

const SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

// A score inside each band of GitHub's `security-severity` mapping (>= 9 critical, >= 7 high, >= 4 medium).
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
};
const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};
const RANK: Readonly<Record<Severity, number>> = { critical: 3, high: 2, medium: 1, low: 0 };

// Paths are written as relative URI references; each segment is percent-encoded.
const uriOf = (file: string) => file.split('/').map(encodeURIComponent).join('/');

/** One SARIF run of `findings` by `tool`; `rules` adds descriptions and help links by rule id. */
export function writeSarif(
  findings: readonly Finding[],
  tool: SarifToolInfo,
  rules: Readonly<Record<string, SarifRuleInfo>> = {},
): WrittenSarifLog {
  const worst = new Map<string, Severity>();
  for (const f of findings) {
    const known = worst.get(f.rule);
    if (known === undefined || RANK[f.severity] > RANK[known]) worst.set(f.rule, f.severity);
  }
  const ids = [...worst.keys()];
  const index = new Map(ids.map((id, i) => [id, i]));
  const driverRules = ids.map((id) => {
    const severity = worst.get(id)!;
    const info = rules[id] ?? {};
    return {
      id,
      shortDescription: { text: info.description ?? id },
      ...(info.helpUri === undefined ? {} : { helpUri: info.helpUri }),
      defaultConfiguration: { level: LEVEL[severity] },
      properties: { 'security-severity': SECURITY_SEVERITY[severity], tags: ['security'] },
    };
  });
  const results = findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule)!,
    level: LEVEL[f.severity],
    message: { text: f.message },
    ...(f.location === undefined
      ? {}
      : {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: uriOf(f.location.file), uriBaseId: '%SRCROOT%' },
                ...(f.location.line === undefined
                  ? {}
                  : {
                      region:
                        f.location.column === undefined
                          ? { startLine: f.location.line }
                          : { startLine: f.location.line, startColumn: f.location.column },
                    }),
              },
            },
          ],
        }),
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties: { 'security-severity': SECURITY_SEVERITY[f.severity] },
  }));
  const driver = {
    name: tool.name,
    ...(tool.version === undefined ? {} : { version: tool.version }),
    ...(tool.informationUri === undefined ? {} : { informationUri: tool.informationUri }),
    rules: driverRules,
  };
  return { $schema: SCHEMA_URI, version: '2.1.0', runs: [{ tool: { driver }, results }] };
}
