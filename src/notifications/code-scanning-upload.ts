/**
 * A job's stored findings as GitHub code scanning takes them: a SARIF 2.1.0 log with one run per tool
 * (a tool that found nothing included, so its fixed alerts close), the job as the analysis category,
 * within GitHub's limits, gzipped and then base64-encoded for `POST /repos/{owner}/{repo}/code-scanning/sarifs`.
 */
import { gzipSync } from 'node:zlib';
import { SEVERITIES } from '../findings/finding.js';
import { type WritableFinding, type WrittenSarif, writeSarifLog } from '../findings/sarif-writer.js';
import { NotificationError } from './errors.js';
import type { FindingsReference } from './notification.js';

/** GitHub's limits on one upload (docs: "SARIF results exceed one or more limits"). */
export const CODE_SCANNING_LIMITS = {
  /** Runs per file: an upload with more is rejected. */
  runs: 20,
  /** Results per run: an upload with more is rejected, so the most severe are sent. */
  resultsPerRun: 25_000,
  /** The gzipped SARIF. */
  gzippedBytes: 10_000_000,
} as const;

/** The analysis category of a job's uploads, the same on every run, so each replaces the last. */
export function codeScanningCategory(job: string): string {
  return `slipway/${job}/`;
}

/** The SARIF log of one job's findings for code scanning. */
export function codeScanningSarif(
  findings: readonly WritableFinding[],
  reference: FindingsReference,
): WrittenSarif {
  const byTool = new Map<string, WritableFinding[]>(reference.tools.map((tool) => [tool, []]));
  for (const f of findings) {
    const list = byTool.get(f.tool);
    if (list === undefined) byTool.set(f.tool, [f]);
    else list.push(f);
  }
  if (byTool.size > CODE_SCANNING_LIMITS.runs)
    throw new NotificationError(
      'REJECTED',
      `job ${reference.job} has findings of ${byTool.size} tools; GitHub code scanning takes at most ${CODE_SCANNING_LIMITS.runs} in one upload`,
    );
  const rank = (f: WritableFinding) => SEVERITIES.indexOf(f.severity);
  return writeSarifLog(
    [...byTool.keys()].sort().map((tool) => ({
      tool,
      automationId: codeScanningCategory(reference.job),
      findings: [...(byTool.get(tool) ?? [])]
        .sort((a, b) => rank(a) - rank(b))
        .slice(0, CODE_SCANNING_LIMITS.resultsPerRun),
    })),
  );
}

/** `log` gzipped, then base64-encoded, as the `sarif` field wants it; too large is a permanent failure. */
export function encodeSarif(log: WrittenSarif): string {
  const gzipped = gzipSync(JSON.stringify(log));
  if (gzipped.length > CODE_SCANNING_LIMITS.gzippedBytes)
    throw new NotificationError(
      'REJECTED',
      `the SARIF is ${gzipped.length} bytes gzipped; GitHub code scanning takes at most ${CODE_SCANNING_LIMITS.gzippedBytes}`,
    );
  return gzipped.toString('base64');
}

/** The `tool_name` of an upload: its one tool, else Slipway, which gathered them. */
export function uploadToolName(log: WrittenSarif): string {
  const [only, ...others] = log.runs;
  return only !== undefined && others.length === 0 ? only.tool.driver.name : 'Slipway';
}
