// Reads a window's delivery facts from the store and computes its figures.
import type { ResolvedSlo } from '../config/slo-schema.js';
import type { Store } from '../store/store.js';
import {
  DELIVERY_EVENT_TYPES,
  type DeliveryFacts,
  deliveryFacts,
  type FactFilter,
} from './delivery-facts.js';
import { type DeliveryMetrics, deliveryMetrics } from './delivery-metrics.js';

const DEPLOY_TYPES = DELIVERY_EVENT_TYPES.filter((t) => t !== 'pipelinerun.finished');

/**
 * The facts of [from, to) for `filter`: two narrow reads at once, the deploy and incident events
 * (indexed by type and time), and the pipeline run durations (with `--service`, of the pipeline
 * of that name). Each read becomes facts as soon as it returns.
 */
export async function loadDeliveryFacts(
  store: Store,
  window: { readonly from: number; readonly to: number },
  filter: FactFilter,
): Promise<DeliveryFacts> {
  const range = { since: window.from, until: window.to };
  const service = filter.service;
  const [facts, pipelines] = await Promise.all([
    store
      .listDeliveryEvents({
        types: DEPLOY_TYPES,
        environment: filter.environment,
        ...(service !== undefined ? { service } : {}),
        ...range,
      })
      .then((events) => deliveryFacts(events, filter)),
    store.listPipelineDurations({ ...range, ...(service !== undefined ? { pipeline: service } : {}) }),
  ]);
  return { ...facts, pipelines };
}

/** The figures of [from, to) for `filter`, against `slo`. */
export async function loadDeliveryMetrics(
  store: Store,
  window: { readonly from: number; readonly to: number },
  filter: FactFilter,
  slo: ResolvedSlo,
): Promise<DeliveryMetrics> {
  const [facts, first] = await Promise.all([
    loadDeliveryFacts(store, window, filter),
    store.listEvents({ limit: 1 }),
  ]);
  // The data starts at the first event in the log, or earlier when an imported history goes back further.
  const earliest = Math.min(
    first[0]?.time ?? window.to,
    facts.deploys[0]?.time ?? window.to,
    facts.pipelines[0]?.time ?? window.to,
  );
  return deliveryMetrics(facts, { ...window, dataStart: earliest }, slo);
}
