/**
 * `slipway findings RUN [--job J]`: the security findings a run's jobs reported, most severe first,
 * with how each counted in its job's gate (counted, below the threshold, in the baseline, suppressed).
 */
import { SEVERITIES, type Severity } from '../../findings/finding.js';
import type { StoredFinding } from '../../store/stored-findings.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { openProjectStore, parseRunId, projectDirOf } from '../project.js';
import { requireLocal } from '../remote/remote-context.js';

/** Options of `slipway findings`. */
export interface FindingsOptions {
  readonly job?: string;
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);

function where(f: StoredFinding): string {
  if (!f.location) return '';
  const { file, line, column } = f.location;
  return `${file}${line !== undefined ? `:${line}${column !== undefined ? `:${column}` : ''}` : ''}`;
}

/** Prints a run's findings; exits 0 (the gates decided the run already). */
export async function findingsCommand(
  ctx: CommandContext,
  runArg: string,
  options: FindingsOptions,
): Promise<number> {
  requireLocal(ctx, 'slipway findings');
  const runId = parseRunId(runArg);
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const findings = (
      await store.listFindings({ runId, ...(options.job ? { jobKey: options.job } : {}) })
    ).sort((a, b) => rank(a.severity) - rank(b.severity) || a.id - b.id);
    const gates = (await store.listEvents({ types: ['findings.recorded'], runId }))
      .filter((e) => !options.job || e.subject === options.job)
      .map((e) => ({ job: e.subject, ...e.data }));
    const counts = Object.fromEntries(
      SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s && f.status === 'counted').length]),
    );
    ctx.output.data({ run: runId, counts, gates, findings });
    if (findings.length === 0 && gates.length === 0) {
      ctx.output.line(`run ${runId} recorded no findings`);
      return ExitCode.Ok;
    }
    for (const gate of gates) {
      const g = gate as {
        job: string | null;
        gate?: string;
        failOn?: string;
        newOnly?: boolean;
        counted?: number;
      };
      ctx.output.line(
        `${g.job}: ${g.gate ?? '?'} (failOn ${g.failOn ?? '?'}${g.newOnly ? ', new only' : ''}; ${g.counted ?? 0} counted)`,
      );
    }
    for (const severity of SEVERITIES) {
      const group = findings.filter((f) => f.severity === severity);
      if (group.length === 0) continue;
      ctx.output.line('');
      ctx.output.line(`${severity.toUpperCase()} (${group.length})`);
      for (const f of group)
        ctx.output.line(
          `  ${f.status.padEnd(10)} ${f.rule}  ${where(f)}  ${f.message}  [${f.tool}${f.status === 'suppressed' && f.suppression ? `; suppressed: ${String(f.suppression.reason)}` : ''}]`,
        );
    }
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
