// Pure request-to-revision and revision-to-instance selection: weighted random choice, overrides,
// sticky cookies and least-outstanding-requests. No I/O; `rand` is a number in [0, 1).
import type { CompiledRevision, CompiledTable } from './compiled-table.js';

/** Anything with a count of requests in flight. */
export interface Loaded {
  readonly inflight: number;
}

/** Where a request should go, or why it cannot go anywhere yet. */
export type Selection<R> =
  | { readonly kind: 'revision'; readonly revision: R; readonly setSticky: boolean }
  | { readonly kind: 'unknown'; readonly name: string }
  | { readonly kind: 'unavailable'; readonly revision: R | undefined };

/** The weighted revision `rand` lands on, or undefined when no revision takes ordinary traffic. */
export function pickWeighted<I, M>(
  table: CompiledTable<I, M>,
  rand: number,
): CompiledRevision<I, M> | undefined {
  const { weighted, cumulative } = table;
  if (weighted.length <= 1) return weighted[0];
  const point = rand * table.totalUnits;
  for (let i = 0; i < weighted.length - 1; i++) {
    if (point < cumulative[i]!) return weighted[i];
  }
  return weighted[weighted.length - 1];
}

/** Like pickWeighted, renormalised over every weighted revision except `excludeId`. */
export function pickWeightedExcept<I, M>(
  table: CompiledTable<I, M>,
  excludeId: string,
  rand: number,
): CompiledRevision<I, M> | undefined {
  let total = 0;
  for (const revision of table.weighted) if (revision.id !== excludeId) total += revision.weightUnits;
  let point = rand * total;
  let last: CompiledRevision<I, M> | undefined;
  for (const revision of table.weighted) {
    if (revision.id === excludeId) continue;
    last = revision;
    point -= revision.weightUnits;
    if (point < 0) return revision;
  }
  return last;
}

/**
 * The ready instance with the fewest requests in flight, skipping `exclude`. The scan starts at
 * `start` (mod length) so that ties rotate when the caller advances it.
 */
export function pickLeastOutstanding<I extends Loaded>(
  ready: readonly I[],
  start: number,
  exclude?: I,
): I | undefined {
  const n = ready.length;
  if (n === 1) return ready[0] === exclude ? undefined : ready[0];
  let best: I | undefined;
  for (let k = 0; k < n; k++) {
    const candidate = ready[(start + k) % n]!;
    if (candidate === exclude) continue;
    if (best === undefined || candidate.inflight < best.inflight) best = candidate;
  }
  return best;
}

/**
 * Chooses the revision for a request: the `override` target (X-Slipway-Revision or its cookie; even
 * at weight 0), else the `sticky` cookie's revision while it still takes traffic, else a weighted
 * pick (and, with sticky tables, a cookie to set).
 */
export function selectRevision<I, M>(
  table: CompiledTable<I, M>,
  override: string | undefined,
  sticky: string | undefined,
  rand: number,
): Selection<CompiledRevision<I, M>> {
  if (override !== undefined) {
    const revision = table.byKey.get(override);
    if (revision === undefined) return { kind: 'unknown', name: override };
    if (revision.ready.length === 0) return { kind: 'unavailable', revision };
    return { kind: 'revision', revision, setSticky: false };
  }
  if (table.sticky && sticky !== undefined) {
    const revision = table.byKey.get(sticky);
    if (
      revision !== undefined &&
      revision.id === sticky &&
      revision.weightUnits > 0 &&
      revision.ready.length > 0
    ) {
      return { kind: 'revision', revision, setSticky: false };
    }
  }
  const revision = pickWeighted(table, rand);
  if (revision === undefined) return { kind: 'unavailable', revision: undefined };
  return { kind: 'revision', revision, setSticky: table.sticky };
}
