/** How `slipway flags` prints: tables and lines for people, one JSON document with `--json`. */
import type { FlagVersion } from '../../flags/versions/flag-versions.js';
import type { CommandContext } from '../context.js';
import { describeFlagDiff, weightsOf } from './flag-diff.js';
import type { FlagChangeAnswer, FlagList, FlagsServed } from './flags-backend.js';

/** Who changed a flag last, when (ms since the epoch), what the change was and where it came from. */
export interface FlagLastChange {
  readonly actor: string;
  readonly time: number;
  readonly change: string;
  readonly source: string;
}

/** One row of `slipway flags list --json`. */
export interface FlagSummary {
  readonly key: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly defaultVariant: string | null;
  readonly variants: readonly string[];
  /** `on=5,off=95` when the flag splits users by weights. */
  readonly weights?: string;
  /** True when targeting rules (weights included) can serve another variant than the default. */
  readonly targeting: boolean;
  readonly version: number;
  readonly lastChange: FlagLastChange;
}

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

const lastChangeOf = (v: FlagVersion): FlagLastChange => ({
  actor: v.actor,
  time: v.time,
  change: v.change,
  source: v.source,
});

/** The summary of a flag's latest version (one that exists: its definition is not null). */
export function summaryOf(v: FlagVersion): FlagSummary {
  const d = v.definition;
  if (d === null) throw new Error(`flag ${v.flag} was removed`);
  const weights = weightsOf(d.targeting);
  return {
    key: v.flag,
    state: d.state,
    defaultVariant: d.defaultVariant ?? null,
    variants: Object.keys(d.variants),
    ...(weights === undefined ? {} : { weights }),
    targeting: d.targeting !== undefined && Object.keys(d.targeting).length > 0,
    version: v.version,
    lastChange: lastChangeOf(v),
  };
}

/** Rows as columns padded to their widest cell. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** `slipway flags list`. */
export function printFlagList(ctx: CommandContext, list: FlagList): void {
  const flags = list.flags.map(summaryOf);
  if (ctx.output.json) {
    ctx.output.data({ version: list.version, flags });
    return;
  }
  if (flags.length === 0) {
    ctx.output.line('no flags (declare them under flags: in slipway.yaml)');
    return;
  }
  const rows = flags.map((f) => [
    f.key,
    f.state,
    `${f.defaultVariant ?? '-'}${f.weights ? ` (weights ${f.weights})` : f.targeting ? ' (+targeting)' : ''}`,
    f.variants.join(','),
    String(f.version),
    `${f.lastChange.actor} ${time(f.lastChange.time)} (${f.lastChange.change})`,
  ]);
  for (const line of table([['FLAG', 'STATE', 'DEFAULT', 'VARIANTS', 'VERSION', 'LAST CHANGE'], ...rows]))
    ctx.output.line(line);
  ctx.output.line(ctx.output.paint('gray', `flag set version ${list.version}`));
}

/** `slipway flags get FLAG`: the whole definition. */
export function printFlag(ctx: CommandContext, v: FlagVersion): void {
  if (ctx.output.json) {
    ctx.output.data({
      key: v.flag,
      version: v.version,
      definition: v.definition,
      lastChange: lastChangeOf(v),
    });
    return;
  }
  ctx.output.line(
    `${ctx.output.paint('bold', v.flag)} version ${v.version}, ${v.change} by ${v.actor} at ${time(v.time)} (${v.source})`,
  );
  ctx.output.line(JSON.stringify(v.definition, null, 2));
}

/** `slipway flags history FLAG`: every version with what it changed. */
export function printFlagHistory(ctx: CommandContext, key: string, versions: readonly FlagVersion[]): void {
  const rows = versions.map((v, i) => ({
    version: v.version,
    actor: v.actor,
    time: v.time,
    change: v.change,
    source: v.source,
    definition: v.definition,
    diff: describeFlagDiff(versions[i - 1]?.definition ?? null, v.definition),
  }));
  if (ctx.output.json) {
    ctx.output.data({ key, versions: rows });
    return;
  }
  const lines = table(
    rows.map((r) => [`v${r.version}`, time(r.time), r.actor, `${r.change} (${r.source})`, r.diff.join('; ')]),
  );
  for (const line of lines) ctx.output.line(line);
}

/** Where the flag set is served now, as one line. */
function servedLine(served: FlagsServed): string {
  const where = served.published.map(
    (p) =>
      `${p.host === 'local' ? 'the local agent' : `the agent on ${p.host}`} at ${p.url} (version ${p.version})`,
  );
  if (served.server) where.unshift(`the server ${served.server} (OFREP)`);
  if (where.length > 0) return `served by ${where.join(', ')}`;
  return `not published: ${served.note ?? 'no agent serves flags'}`;
}

/** A change's answer: the flag's new version and where the set is served. */
export function printFlagChange(ctx: CommandContext, answer: FlagChangeAnswer): void {
  const v = answer.flag;
  if (ctx.output.json) {
    ctx.output.data({
      key: v.flag,
      changed: answer.changed,
      version: v.version,
      change: v.change,
      definition: v.definition,
      served: answer.served,
    });
  } else if (!answer.changed) {
    ctx.output.line(`flag ${v.flag} already is so (version ${v.version}): nothing recorded`);
  } else {
    ctx.output.line(
      `flag ${v.flag}: version ${v.version} (${v.change}), flag set version ${answer.served.version}`,
    );
    ctx.output.line(servedLine(answer.served));
    const targeting = v.definition?.targeting;
    const weights = weightsOf(targeting);
    if (v.change === 'set' && targeting !== undefined && Object.keys(targeting).length > 0)
      ctx.output.line(
        ctx.output.paint(
          'yellow',
          `note: targeting still decides first (${weights ? `weights ${weights}` : 'rules'}); the default serves the users it does not place`,
        ),
      );
  }
  if (answer.served.error)
    ctx.output.error(
      `slipway: flag ${v.flag} version ${v.version} is recorded, but publishing the flag set failed: ${answer.served.error}`,
    );
}
