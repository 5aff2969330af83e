/**
 * Reads one scanner report, whichever of the supported formats it is: SARIF 2.1.0 (any tool), the
 * JSON output of osv-scanner, or `npm audit --json`. The format is told by the content; a job that
 * declared it (`sarif:`, `osv:`, `npmAudit:`) has it checked. A file that is not JSON, or none of
 * these, is FINDINGS_REPORT_INVALID naming the file.
 */
import { readFile } from 'node:fs/promises';
import { FindingsError } from './errors.js';
import type { Finding } from './finding.js';
import { NPM_AUDIT_TOOL, readNpmAudit } from './read-npm-audit.js';
import { OSV_TOOL, readOsv } from './read-osv.js';
import { readSarif } from './read-sarif.js';
import type { SarifLog } from './sarif-log.js';

/** The report formats Slipway reads. */
export type ReportFormat = 'sarif' | 'osv' | 'npm-audit';

const FORMAT_NAMES: Readonly<Record<ReportFormat, string>> = {
  sarif: 'a SARIF 2.1.0 log',
  osv: 'osv-scanner JSON output',
  'npm-audit': 'npm audit JSON',
};

/** How to read a report. */
export interface ReadReportOptions {
  /** The report file as the job named it, for messages (`reports/eslint.sarif`). */
  readonly file: string;
  /** The absolute project directory; absolute paths in the report under it become relative. */
  readonly projectRoot?: string;
  /** The format the job declared; absent to accept any. */
  readonly format?: ReportFormat;
}

/** The findings of one report. */
export interface ReportFindings {
  readonly file: string;
  readonly format: ReportFormat;
  readonly findings: Finding[];
  /** The tools the report is from, found or not: a clean run of a tool is news too (it fixed what it had found). */
  readonly tools: readonly string[];
}

/** The format `doc` is in, or why it is none of them. */
export function detectFormat(doc: unknown): ReportFormat | { readonly reason: string } {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    const osvRecords = Array.isArray(doc) && doc.length > 0 && doc.every(isOsvRecord);
    const what = doc === null ? 'JSON null' : `a JSON ${Array.isArray(doc) ? 'array' : typeof doc}`;
    return { reason: osvRecords ? OSV_RECORD : what };
  }
  const d = doc as Record<string, unknown>;
  if (d.version === '2.1.0' || 'runs' in d || (typeof d.$schema === 'string' && /sarif/i.test(d.$schema)))
    return 'sarif';
  if ('auditReportVersion' in d) return 'npm-audit';
  if ('advisories' in d && 'metadata' in d)
    return { reason: 'npm audit JSON of npm 6 (no auditReportVersion); run npm audit with npm 7 or later' };
  if ('results' in d) return 'osv';
  if (isOsvRecord(d) || (Array.isArray(d.vulns) && d.vulns.every(isOsvRecord))) return { reason: OSV_RECORD };
  return { reason: 'an object with none of `runs`, `auditReportVersion` or `results`' };
}

const OSV_RECORD =
  'OSV vulnerability records, which say what is vulnerable, not what this project uses; use osv-scanner --format json';

function isOsvRecord(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.id === 'string' && ('affected' in v || 'schema_version' in v || 'modified' in v);
}

/** The findings of a report's text: parsed, its format detected, checked and read. */
export function readReport(text: string, options: ReadReportOptions): ReportFindings {
  const { file } = options;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '')
    throw new FindingsError('FINDINGS_REPORT_INVALID', `${file}: the report is empty`, { file });
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (cause) {
    throw new FindingsError(
      'FINDINGS_REPORT_INVALID',
      `${file}: not JSON (${cause instanceof Error ? cause.message : String(cause)})`,
      { file, cause },
    );
  }
  const format = detectFormat(doc);
  if (typeof format !== 'string') {
    const expected =
      options.format === undefined
        ? 'a SARIF 2.1.0 log, osv-scanner JSON or npm audit JSON'
        : FORMAT_NAMES[options.format];
    throw new FindingsError('FINDINGS_REPORT_INVALID', `${file}: not ${expected}: it is ${format.reason}`, {
      file,
    });
  }
  if (options.format !== undefined && format !== options.format)
    throw new FindingsError(
      'FINDINGS_REPORT_INVALID',
      `${file}: declared as ${FORMAT_NAMES[options.format]} but it is ${FORMAT_NAMES[format]}`,
      { file },
    );
  if (format === 'sarif') {
    const findings = readSarif(doc, options);
    const tools = [...new Set(((doc as SarifLog).runs ?? []).map((run) => run.tool.driver.name))];
    return { file, format, findings, tools };
  }
  return format === 'osv'
    ? { file, format, findings: readOsv(doc, options), tools: [OSV_TOOL] }
    : { file, format, findings: readNpmAudit(doc, { file }), tools: [NPM_AUDIT_TOOL] };
}

/** Reads the report at `path` (FINDINGS_REPORT_UNREADABLE when it cannot be read). */
export async function readReportFile(
  path: string,
  options: Partial<ReadReportOptions> = {},
): Promise<ReportFindings> {
  const file = options.file ?? path;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(cause);
    throw new FindingsError('FINDINGS_REPORT_UNREADABLE', `${file}: cannot read the report (${reason})`, {
      file,
      cause,
    });
  }
  return readReport(text, { ...options, file });
}
