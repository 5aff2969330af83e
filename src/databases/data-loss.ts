/**
 * What a data rollback loses: per table, the rows there are now against the rows the snapshot
 * holds. Tables created since the snapshot go away whole; tables dropped since come back.
 */
import type { RowCounts } from './database-engine.js';

/** One table's change between the snapshot and now. */
export interface TableLoss {
  readonly table: string;
  /** Rows in the snapshot, or undefined when the table did not exist then. */
  readonly snapshot?: number;
  /** Rows now, or undefined when the table no longer exists. */
  readonly now?: number;
  /** now - snapshot, counting a missing table as 0 rows. */
  readonly delta: number;
}

/** Every table whose row count differs or that exists on one side only, by table name. */
export function dataLoss(snapshot: RowCounts, now: RowCounts): TableLoss[] {
  const tables = [...new Set([...Object.keys(snapshot), ...Object.keys(now)])].sort();
  const out: TableLoss[] = [];
  for (const table of tables) {
    const before = snapshot[table];
    const after = now[table];
    const delta = (after ?? 0) - (before ?? 0);
    if (before !== undefined && after !== undefined && delta === 0) continue;
    out.push({
      table,
      ...(before !== undefined ? { snapshot: before } : {}),
      ...(after !== undefined ? { now: after } : {}),
      delta,
    });
  }
  return out;
}

/** One line per table, for the confirmation a data rollback prints. */
export function describeLoss(losses: readonly TableLoss[]): string[] {
  if (losses.length === 0) return ['no table has changed its row count since the snapshot'];
  return losses.map((loss) => {
    if (loss.snapshot === undefined)
      return `${loss.table}: created since the snapshot, dropped with its ${loss.now} rows`;
    if (loss.now === undefined)
      return `${loss.table}: dropped since the snapshot, restored with ${loss.snapshot} rows`;
    const sign = loss.delta > 0 ? '+' : '';
    return `${loss.table}: ${loss.now} rows now, ${loss.snapshot} in the snapshot (${sign}${loss.delta}${loss.delta > 0 ? ' lost' : ' restored'})`;
  });
}
