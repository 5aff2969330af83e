/**
 * Writes findings back out as a SARIF 2.1.0 log, whatever report they were read from (SARIF, OSV,
 * npm audit), so another SARIF consumer (GitHub code scanning) sees what Slipway stored: one run per
 * tool, rules with GitHub's `security-severity`, results with their location and fingerprint, and the
 * findings a Slipway suppression hides marked as externally suppressed.
 */
import { type Finding, SEVERITIES, type Severity } from './finding.js';

/** A finding to write; `suppression` is the Slipway suppression that hid it, if one did. */
export interface WritableFinding extends Finding {
  readonly suppression?: Readonly<Record<string, unknown>> | null;
}

/** One run of the log: a tool and its findings. */
export interface SarifRunInput {
  readonly tool: string;
  /** `tool.driver.version` and `informationUri`, when the writer is the scanner itself. */
  readonly toolVersion?: string;
  readonly informationUri?: string;
  readonly findings: readonly WritableFinding[];
  /** `automationDetails.id`, e.g. `slipway/sast/`: GitHub code scanning's category is what precedes its last `/`. */
  readonly automationId?: string;
}

/** One run as this writer produces it. */
export interface WrittenSarifRun {
  readonly tool: {
    readonly driver: {
      readonly name: string;
      readonly version?: string;
      readonly informationUri?: string;
      readonly rules: readonly object[];
    };
  };
  readonly automationDetails?: { readonly id: string };
  readonly results: readonly object[];
}

/** A SARIF 2.1.0 log as this writer produces it: plain JSON data. */
export interface WrittenSarif {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly WrittenSarifRun[];
}

/** The key a finding's fingerprint is written under in `partialFingerprints`. */
export const SLIPWAY_FINGERPRINT_KEY = 'slipwayFingerprint/v1';

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
const rank = (severity: Severity) => SEVERITIES.indexOf(severity);

/** A SARIF 2.1.0 log with one run per entry of `runs`, in their order. */
export function writeSarifLog(runs: readonly SarifRunInput[]): WrittenSarif {
  return { $schema: SCHEMA_URI, version: '2.1.0', runs: runs.map(writeRun) };
}

function writeRun(run: SarifRunInput): WrittenSarifRun {
  // A rule's severity is its worst finding's: GitHub reads `security-severity` from the rule.
  const worst = new Map<string, Severity>();
  for (const f of run.findings) {
    const known = worst.get(f.rule);
    if (known === undefined || rank(f.severity) < rank(known)) worst.set(f.rule, f.severity);
  }
  const index = new Map([...worst.keys()].map((id, i) => [id, i]));
  const rules = [...worst].map(([id, severity]) => ({
    id,
    shortDescription: { text: id },
    defaultConfiguration: { level: LEVEL[severity] },
    properties: { 'security-severity': SECURITY_SEVERITY[severity], tags: ['security'] },
  }));
  return {
    tool: {
      driver: {
        name: run.tool,
        ...(run.toolVersion === undefined ? {} : { version: run.toolVersion }),
        ...(run.informationUri === undefined ? {} : { informationUri: run.informationUri }),
        rules,
      },
    },
    ...(run.automationId === undefined ? {} : { automationDetails: { id: run.automationId } }),
    results: run.findings.map((f) => writeResult(f, index.get(f.rule) ?? 0)),
  };
}

function writeResult(f: WritableFinding, ruleIndex: number): object {
  const location = f.location;
  const region =
    location?.line === undefined
      ? undefined
      : location.column === undefined
        ? { startLine: location.line }
        : { startLine: location.line, startColumn: location.column };
  const reason = f.suppression?.reason;
  return {
    ruleId: f.rule,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.message === '' ? f.rule : f.message },
    ...(location === undefined
      ? {}
      : {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(location.file) },
                ...(region === undefined ? {} : { region }),
              },
            },
          ],
        }),
    partialFingerprints: { [SLIPWAY_FINGERPRINT_KEY]: f.fingerprint },
    ...(f.suppression
      ? {
          suppressions: [
            {
              kind: 'external',
              status: 'accepted',
              ...(typeof reason === 'string' ? { justification: reason } : {}),
            },
          ],
        }
      : {}),
    properties: { 'security-severity': SECURITY_SEVERITY[f.severity] },
  };
}

/**
 * A project-relative path as a relative URI reference, each segment percent-encoded; an absolute
 * path (a file outside the project) as a `file://` URI; a URI of another scheme as it is.
 */
export function artifactUri(file: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(file)) return file;
  const encoded = file.split('/').map(encodeURIComponent).join('/');
  return file.startsWith('/') ? `file://${encoded}` : encoded;
}
