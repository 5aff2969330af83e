// The lease condition runs and rollouts share: a row may be claimed when it is free, its claimer's own, or stale.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database } from './schema.js';

/** The tables whose rows are leased (an `owner` and a `heartbeat_at` column). */
type LeasedTable = 'runs' | 'rollouts';

/** WHERE condition of a claim by `owner`: no owner, `owner` itself, or a heartbeat older than `staleBefore`. */
export function claimable(owner: string, staleBefore: number) {
  return <TB extends LeasedTable>(eb: ExpressionBuilder<Database, TB>): Expression<SqlBool> => {
    // Either table's builder, seen through the two columns both tables have alike.
    const row = eb as unknown as ExpressionBuilder<Database, LeasedTable>;
    return row.or([
      row('owner', 'is', null),
      row('owner', '=', owner),
      row('heartbeat_at', 'is', null),
      row('heartbeat_at', '<', staleBefore),
    ]);
  };
}
