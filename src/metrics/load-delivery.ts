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

/** The facts of [from, to) for `filter`: two indexed reads, deploys and incidents, then pipeline runs. */
export async function loadDeliveryFacts(
  store: Store,
  window: { readonly from: number; readonly to: number },
  filter: FactFilter,
): Promise<DeliveryFacts> {
  const range = { since: window.from, until: window.to };
  const [delivery, pipelines] = await Promise.all([
    store.listEvents({
      types: DEPLOY_TYPES,
      environment: filter.environment,
      withRegions: true,
      ...(filter.service !== undefined ? { service: filter.service } : {}),
      ...range,
    }),
    store.listEvents({
      types: ['pipelinerun.finished'],
      ...(filter.service !== undefined ? { project: { pipeline: filter.service, runlessToo: false } } : {}),
      ...range,
    }),
  ]);
  const facts = deliveryFacts(delivery, filter);
  return { ...facts, pipelines: deliveryFacts(pipelines, { environment: filter.environment }).pipelines };
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
  return deliveryMetrics(facts, { ...window, dataStart: first[0]?.time ?? window.to }, slo);
}
