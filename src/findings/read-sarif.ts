/**
 * Reads a SARIF 2.1.0 log into findings: the log is checked against the official schema first, then
 * every `runs[].results[]` that reports a problem becomes one Finding.
 *
 * Severity follows GitHub code scanning: a `security-severity` property (a CVSS-like score 0-10, on
 * the result or else its rule) maps >= 9 to critical, >= 7 high, >= 4 medium, below low; without one,
 * the result's `level` (else the rule's `defaultConfiguration.level`, else `warning`) maps error to
 * high, warning to medium, note and none to low.
 *
 * Results that are not problems are skipped: `kind` pass, notApplicable or informational, and results
 * the tool itself reports as suppressed (an accepted SARIF suppression, e.g. an `eslint-disable`).
 */
import { createHash } from 'node:crypto';
import { type Finding, type FindingLocation, type Severity, severityOfScore } from './finding.js';
import type {
  SarifArtifactLocation,
  SarifLevel,
  SarifLocation,
  SarifLog,
  SarifMessage,
  SarifResult,
  SarifRule,
  SarifRun,
} from './sarif-log.js';
import { assertSarifLog } from './sarif-schema.js';
import { sarifUriResolver } from './sarif-uri.js';

/** Where a report came from, for messages and for making its file paths project-relative. */
export interface ReadSarifOptions {
  /** The report file as the job named it (`reports/eslint.sarif`). */
  readonly file: string;
  /** The absolute project directory; absolute `file://` locations under it become relative. */
  readonly projectRoot?: string;
}

/** The findings of a parsed SARIF log, after checking it against the SARIF 2.1.0 schema. */
export function readSarif(log: unknown, options: ReadSarifOptions): Finding[] {
  assertSarifLog(log, options.file);
  return sarifFindings(log as SarifLog, options);
}

/** The findings of a SARIF log already known to be valid. */
export function sarifFindings(log: SarifLog, options: Pick<ReadSarifOptions, 'projectRoot'> = {}): Finding[] {
  const findings: Finding[] = [];
  for (const run of log.runs ?? []) readRun(run, options.projectRoot, findings);
  return findings;
}

const NOT_PROBLEMS = new Set(['pass', 'notApplicable', 'informational']);

function readRun(run: SarifRun, projectRoot: string | undefined, out: Finding[]): void {
  const driver = run.tool.driver;
  const tool = driver.name;
  const components = [driver, ...(run.tool.extensions ?? [])];
  let rulesById: Map<string, SarifRule> | undefined;
  const resolveUri = sarifUriResolver(run, projectRoot);
  for (const result of run.results ?? []) {
    if (result.kind !== undefined && NOT_PROBLEMS.has(result.kind)) continue;
    if (result.suppressions !== undefined && suppressedByTool(result.suppressions)) continue;
    const componentIndex = result.rule?.toolComponent?.index;
    const component =
      (componentIndex === undefined ? driver : run.tool.extensions?.[componentIndex]) ?? driver;
    const ruleIndex = result.ruleIndex ?? result.rule?.index;
    const ruleId = result.ruleId ?? result.rule?.id;
    let rule = ruleIndex === undefined || ruleIndex < 0 ? undefined : component.rules?.[ruleIndex];
    if (rule === undefined && ruleId !== undefined) {
      rulesById ??= indexRules(components);
      rule = rulesById.get(ruleId);
    }
    const ruleName = ruleId ?? rule?.id ?? '(no rule)';
    const physical = result.locations?.[0]?.physicalLocation;
    const location = physical === undefined ? undefined : findingLocation(physical, resolveUri);
    const severity = severityOf(result, rule);
    const message = messageText(result.message, rule, component.globalMessageStrings);
    const reported = reportFingerprint(result);
    const fingerprint =
      reported ?? locationFingerprint(tool, ruleName, location, physical?.region?.snippet?.text);
    const fingerprintSource = reported === undefined ? 'location' : 'report';
    // Two literal shapes rather than a spread: 100,000 findings are built here.
    out.push(
      location === undefined
        ? { tool, rule: ruleName, severity, message, fingerprint, fingerprintSource }
        : { tool, rule: ruleName, severity, message, location, fingerprint, fingerprintSource },
    );
  }
}

function findingLocation(
  physical: NonNullable<SarifLocation['physicalLocation']>,
  resolveUri: (location: SarifArtifactLocation) => string | undefined,
): FindingLocation | undefined {
  const artifact = physical.artifactLocation;
  const file = artifact === undefined ? undefined : resolveUri(artifact);
  if (file === undefined) return undefined;
  const region = physical.region;
  if (region?.startLine === undefined) return { file };
  if (region.startColumn === undefined) return { file, line: region.startLine };
  return { file, line: region.startLine, column: region.startColumn };
}

function indexRules(
  components: readonly { readonly rules?: readonly SarifRule[] }[],
): Map<string, SarifRule> {
  const byId = new Map<string, SarifRule>();
  for (const c of components) for (const r of c.rules ?? []) if (!byId.has(r.id)) byId.set(r.id, r);
  return byId;
}

// SARIF §3.27.23: suppressed when some suppression is accepted (status absent means accepted) and
// none is still under review or rejected.
function suppressedByTool(suppressions: NonNullable<SarifResult['suppressions']>): boolean {
  if (suppressions.length === 0) return false;
  let accepted = false;
  for (const s of suppressions) {
    if (s.status === 'underReview' || s.status === 'rejected') return false;
    accepted = true;
  }
  return accepted;
}

const LEVEL_SEVERITY: Readonly<Record<SarifLevel, Severity>> = {
  error: 'high',
  warning: 'medium',
  note: 'low',
  none: 'low',
};

function severityOf(result: SarifResult, rule: SarifRule | undefined): Severity {
  const score = securitySeverity(result.properties) ?? securitySeverity(rule?.properties);
  if (score !== undefined) return severityOfScore(score);
  return LEVEL_SEVERITY[result.level ?? rule?.defaultConfiguration?.level ?? 'warning'];
}

function securitySeverity(properties: Readonly<Record<string, unknown>> | undefined): number | undefined {
  const raw = properties?.['security-severity'];
  if (raw === undefined) return undefined;
  const score =
    typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(score) && score >= 0 ? score : undefined;
}

function messageText(
  message: SarifMessage,
  rule: SarifRule | undefined,
  globalStrings: Readonly<Record<string, SarifMessage>> | undefined,
): string {
  let text = message.text;
  if (text === undefined && message.id !== undefined)
    text = rule?.messageStrings?.[message.id]?.text ?? globalStrings?.[message.id]?.text;
  text ??= message.markdown ?? rule?.shortDescription?.text ?? '';
  const args = message.arguments;
  return args !== undefined && text.includes('{') ? fillArguments(text, args) : text;
}

/** `{0}`-style placeholders filled from `args`; `{{` and `}}` stand for literal braces (SARIF §3.11.5). */
export function fillArguments(text: string, args: readonly string[]): string {
  return text.replace(/\{\{|\}\}|\{(\d+)\}/g, (match, index: string | undefined) => {
    if (index === undefined) return match[0]!;
    return args[Number(index)] ?? match;
  });
}

function reportFingerprint(result: SarifResult): string | undefined {
  return firstByKey(result.partialFingerprints) ?? firstByKey(result.fingerprints);
}

function firstByKey(fingerprints: Readonly<Record<string, string>> | undefined): string | undefined {
  if (fingerprints === undefined) return undefined;
  let best: string | undefined;
  for (const key in fingerprints) if (best === undefined || key < best) best = key;
  return best === undefined ? undefined : fingerprints[best];
}

/** The fingerprint of a finding whose report has none: SHA-256 of tool, rule, file, line and snippet. */
export function locationFingerprint(
  tool: string,
  rule: string,
  location: FindingLocation | undefined,
  snippet?: string,
): string {
  const hash = createHash('sha256').update(
    `${tool}\0${rule}\0${location?.file ?? ''}\0${location?.line ?? ''}`,
  );
  if (snippet !== undefined) hash.update(`\0${snippet.trim()}`);
  return hash.digest('hex');
}
