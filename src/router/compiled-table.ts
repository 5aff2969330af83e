// A RouteTable turned into what the hot path needs: ready instances per revision, cumulative
// weights for the weighted pick, and a lookup by revision id and role.
import { type RouteInstance, type RouteTable, WEIGHT_UNITS_PER_PERCENT } from './route-table.js';

/** One revision ready for routing; `I` is the router's per-instance state, `M` its metrics. */
export interface CompiledRevision<I, M> {
  readonly id: string;
  /** Weight in units of 0.001 %; 0 means override-only. */
  readonly weightUnits: number;
  /** Ready instances, in table order. */
  readonly ready: readonly I[];
  /** The Set-Cookie value that pins a client to this revision. */
  readonly stickyCookie: string;
  readonly metrics: M;
  /** Rotating start of the least-outstanding scan, so ties go round-robin. */
  cursor: number;
}

/** The routing view of one RouteTable. */
export interface CompiledTable<I, M> {
  readonly source: RouteTable;
  readonly sticky: boolean;
  /** Revisions by id, plus `stable` and `canary` for the revisions holding those roles. */
  readonly byKey: ReadonlyMap<string, CompiledRevision<I, M>>;
  /** Revisions with weight > 0 and at least one ready instance: the only ones ordinary traffic reaches. */
  readonly weighted: readonly CompiledRevision<I, M>[];
  /** Running sum of weightUnits over `weighted`. */
  readonly cumulative: readonly number[];
  readonly totalUnits: number;
}

/** Weight in 0.001 % units; any positive weight gets at least one unit so it is never silently dropped. */
export function weightUnits(weight: number): number {
  if (!(weight > 0)) return 0;
  return Math.max(1, Math.round(weight * WEIGHT_UNITS_PER_PERCENT));
}

/** Compiles a validated table; `instanceFor` maps each instance to the router's state for it. */
export function compileTable<I, M>(
  table: RouteTable,
  instanceFor: (instance: RouteInstance) => I,
  metricsFor: (revisionId: string) => M,
): CompiledTable<I, M> {
  const byKey = new Map<string, CompiledRevision<I, M>>();
  const weighted: CompiledRevision<I, M>[] = [];
  const cumulative: number[] = [];
  let totalUnits = 0;
  const compiled = table.revisions.map((revision) => {
    const ready: I[] = [];
    for (const instance of revision.instances) {
      const state = instanceFor(instance);
      if (instance.ready) ready.push(state);
    }
    const entry: CompiledRevision<I, M> = {
      id: revision.id,
      weightUnits: weightUnits(revision.weight),
      ready,
      stickyCookie: `slipway-sticky=${revision.id}; Path=/; HttpOnly; SameSite=Lax`,
      metrics: metricsFor(revision.id),
      cursor: 0,
    };
    byKey.set(revision.id, entry);
    if (entry.weightUnits > 0 && ready.length > 0) {
      totalUnits += entry.weightUnits;
      weighted.push(entry);
      cumulative.push(totalUnits);
    }
    return { entry, role: revision.role };
  });
  // Roles go in after every id so a revision literally named "stable" is still reachable by id.
  for (const { entry, role } of compiled) {
    if (role !== undefined && !byKey.has(role)) byKey.set(role, entry);
  }
  return { source: table, sticky: table.sticky, byKey, weighted, cumulative, totalUnits };
}
