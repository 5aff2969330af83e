/** The summary of a plan as the log, the approval gate, the dashboard and the event log show it. */
import type { ChangeAction, ResourceChange } from './resource-change.js';

/** Terraform's counts (a replace counts as one to add and one to destroy) and the list of changes. */
export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  /** Of those, resources replaced. */
  readonly replace: number;
  /** Each change that does something (no-ops and reads left out), in plan order. */
  readonly changes: readonly {
    readonly address: string;
    readonly action: ChangeAction;
    readonly changed: readonly string[];
  }[];
}

/** Counts and lists the changes of a plan. */
export function summarizePlan(changes: readonly ResourceChange[]): PlanSummary {
  let add = 0;
  let change = 0;
  let destroy = 0;
  let replace = 0;
  const listed: PlanSummary['changes'][number][] = [];
  for (const c of changes) {
    if (c.action === 'no-op' || c.action === 'read') continue;
    if (c.action === 'create') add++;
    else if (c.action === 'update') change++;
    else if (c.action === 'delete') destroy++;
    else {
      add++;
      destroy++;
      replace++;
    }
    listed.push({ address: c.address, action: c.action, changed: c.changed });
  }
  return { add, change, destroy, replace, changes: listed };
}

/** Terraform's own words: `Plan: 1 to add, 0 to change, 2 to destroy.` or `No changes.` */
export function summaryLine(summary: PlanSummary): string {
  if (summary.changes.length === 0) return 'No changes.';
  return `Plan: ${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy.`;
}

const SYMBOL: Readonly<Record<ChangeAction, string>> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
  read: '<=',
  'no-op': ' ',
};

/** One line per change, with Terraform's symbols: `  -/+ terraform_data.web (replace: input)`. */
export function changeLines(summary: PlanSummary, limit = Number.POSITIVE_INFINITY): string[] {
  const lines = summary.changes
    .slice(0, limit)
    .map(
      (c) =>
        `  ${SYMBOL[c.action].padStart(3)} ${c.address} (${c.action}${c.changed.length > 0 ? `: ${c.changed.join(', ')}` : ''})`,
    );
  if (summary.changes.length > limit) lines.push(`  ... and ${summary.changes.length - limit} more`);
  return lines;
}
