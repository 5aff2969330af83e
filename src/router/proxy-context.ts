// The state request handlers share with the Router that owns them.

import type { RevisionMetrics } from '../platform/traffic-metrics.js';
import type { CompiledRevision, CompiledTable } from './compiled-table.js';
import type { RewriteOptions } from './headers.js';
import type { Holdable, HoldQueue } from './hold-queue.js';
import type { Upstream } from './upstream-pool.js';
import type { VariantMetrics } from './variant-metrics.js';

/** The compiled route table the hot path reads. */
export type Routes = CompiledTable<Upstream, RevisionMetrics>;

/** One revision of the compiled route table. */
export type Revision = CompiledRevision<Upstream, RevisionMetrics>;

/** An open WebSocket tunnel the router must be able to tear down on close. */
export interface OpenTunnel {
  destroy(): void;
}

/** Router state shared by every request; setTable replaces `routes` in one assignment. */
export interface ProxyContext {
  routes: Routes;
  readonly held: HoldQueue<Holdable>;
  readonly tunnels: Set<OpenTunnel>;
  /** Counters per flag variant named by responses (X-Slipway-Flag-Variants). */
  readonly variants: VariantMetrics;
  readonly rewrite: RewriteOptions;
  readonly rewriteUpgrade: RewriteOptions;
}
