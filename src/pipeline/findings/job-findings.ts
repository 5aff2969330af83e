/**
 * A job's `findings:` after it ran: its reports read into findings (a malformed one fails the
 * job), gated by severity against suppressions and, with `newOnly`, the baseline (the findings of
 * the default branch's last successful run), stored with the run, and counted in a
 * `findings.recorded` event. The job fails when the gate does.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { globSync } from 'tinyglobby';
import type { ResolvedFindings } from '../../config/findings-schema.js';
import { parseSource } from '../../config/source.js';
import { FindingsError } from '../../findings/errors.js';
import type { Finding } from '../../findings/finding.js';
import { atOrAbove, type GateResult, gateFindings } from '../../findings/gate.js';
import { type ReportFormat, readReportFile } from '../../findings/read-report.js';
import type { Suppression } from '../../findings/suppressions.js';
import { suppressionsFileSchema } from '../../findings/suppressions-schema.js';
import type { Run, Store } from '../../store/store.js';
import type { FindingStatus, NewFinding } from '../../store/stored-findings.js';
import type { AttemptLog } from '../executor/log-sink.js';

/** What gating a job's findings needs besides the job. */
export interface FindingsGateDeps {
  readonly store: Store;
  readonly run: Run;
  readonly projectDir: string;
  /** The branch whose last successful run is the baseline. */
  readonly baselineBranch: string;
  /** The suppressions of slipway.yaml (`.slipway/suppressions.yaml` is read at each gate). */
  readonly suppressions: readonly Suppression[];
  /** Today, YYYY-MM-DD (UTC), for suppression expiry. */
  readonly today: () => string;
}

/** How a job's gate ended. */
export type FindingsVerdict =
  | { readonly status: 'passed'; readonly message: string }
  | { readonly status: 'failed'; readonly message: string };

/** Reads, gates and stores the findings of `jobKey`; the verdict says whether the job fails. */
export async function gateJobFindings(
  deps: FindingsGateDeps,
  jobKey: string,
  cwd: string,
  config: ResolvedFindings,
  log: AttemptLog,
): Promise<FindingsVerdict> {
  let findings: Finding[];
  let tools: string[];
  let suppressions: Suppression[];
  try {
    ({ findings, tools } = await readReports(deps.projectDir, cwd, config));
    suppressions = [...deps.suppressions, ...suppressionsFile(deps.projectDir)];
  } catch (error) {
    const message = error instanceof FindingsError ? error.message : String(error);
    log.system(`findings: ${message}`);
    return { status: 'failed', message: `findings: ${message}` };
  }
  const baseline = config.newOnly ? await baselineOf(deps, jobKey) : undefined;
  const gate = gateFindings(findings, {
    failOn: config.failOn,
    newOnly: config.newOnly,
    ...(baseline ? { baseline } : {}),
    suppressions,
    today: deps.today(),
  });
  for (const warning of gate.warnings) log.system(`findings: warning: ${warning}`);
  await deps.store.recordFindings(deps.run.id, jobKey, statuses(findings, gate));
  await deps.store.appendEvent({
    type: 'findings.recorded',
    actor: deps.run.actor,
    runId: deps.run.id,
    commitSha: deps.run.commitSha,
    subject: jobKey,
    data: {
      // The branch and tools let GitHub code scanning file the findings (and close what a tool no longer finds).
      ...(deps.run.branch ? { branch: deps.run.branch } : {}),
      tools,
      gate: gate.status,
      failOn: gate.failOn,
      newOnly: gate.newOnly,
      total: findings.length,
      totals: gate.totals,
      counted: gate.counted.length,
      counts: gate.counts,
      suppressed: gate.suppressed.length,
      inBaseline: gate.inBaseline,
      expired: gate.expired.length,
    },
  });
  log.system(`findings: ${gate.message}`);
  for (const f of gate.counted.slice(0, 20))
    log.system(
      `  ${f.severity.toUpperCase()} ${f.rule}${f.location ? ` ${f.location.file}${f.location.line ? `:${f.location.line}` : ''}` : ''}: ${f.message}`,
    );
  if (gate.counted.length > 20)
    log.system(`  ... and ${gate.counted.length - 20} more (slipway findings ${deps.run.id})`);
  return { status: gate.status, message: `findings: ${gate.message}` };
}

const FORMATS: readonly [keyof ResolvedFindings & ('sarif' | 'osv' | 'npmAudit'), ReportFormat][] = [
  ['sarif', 'sarif'],
  ['osv', 'osv'],
  ['npmAudit', 'npm-audit'],
];

async function readReports(
  projectDir: string,
  cwd: string,
  config: ResolvedFindings,
): Promise<{ findings: Finding[]; tools: string[] }> {
  const out: Finding[] = [];
  const tools = new Set<string>();
  for (const [key, format] of FORMATS) {
    for (const glob of config[key]) {
      const files = globSync(glob, { cwd, onlyFiles: true, expandDirectories: false }).sort();
      if (files.length === 0)
        throw new FindingsError(
          'FINDINGS_REPORT_UNREADABLE',
          `no report matches ${glob} (in ${relative(projectDir, cwd) || '.'})`,
        );
      for (const file of files) {
        const read = await readReportFile(join(cwd, file), {
          file: relative(projectDir, join(cwd, file)),
          projectRoot: projectDir,
          format,
        });
        out.push(...read.findings);
        for (const tool of read.tools) tools.add(tool);
      }
    }
  }
  return { findings: out, tools: [...tools].sort() };
}

function suppressionsFile(projectDir: string): Suppression[] {
  let text: string;
  try {
    text = readFileSync(join(projectDir, '.slipway', 'suppressions.yaml'), 'utf8');
  } catch {
    return [];
  }
  const source = parseSource(text);
  const parsed = suppressionsFileSchema.safeParse(source.data);
  if (!parsed.success)
    throw new FindingsError(
      'FINDINGS_REPORT_INVALID',
      `.slipway/suppressions.yaml is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data.suppressions;
}

// The findings of this job in the newest successful run of the baseline branch, before this run.
async function baselineOf(deps: FindingsGateDeps, jobKey: string): Promise<Finding[] | undefined> {
  const runs = await deps.store.listRuns({ status: 'success', limit: 200 });
  const previous = runs.find(
    (r) => r.id < deps.run.id && r.branch === deps.baselineBranch && r.pipeline === deps.run.pipeline,
  );
  if (!previous) return undefined;
  return deps.store.listFindings({ runId: previous.id, jobKey });
}

function statuses(findings: readonly Finding[], gate: GateResult): NewFinding[] {
  const counted = new Set(gate.counted);
  const suppressed = new Map(gate.suppressed.map((s) => [s.finding, s.suppression]));
  return findings.map((f) => {
    const suppression = suppressed.get(f);
    const status: FindingStatus = suppression
      ? 'suppressed'
      : counted.has(f)
        ? 'counted'
        : atOrAbove(f.severity, gate.failOn)
          ? 'baseline'
          : 'below';
    return { ...f, status, ...(suppression ? { suppression: { ...suppression } } : {}) };
  });
}
