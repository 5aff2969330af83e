/** What a run stores about itself so it can be resumed or re-run without reading slipway.yaml again. */
import type { ResolvedConfig } from '../config/resolved.js';
import type { PipelinePlan, PlanSelection } from './plan.js';

/** The run's frozen config and plan, stored in the run record. */
export interface RunSnapshot {
  readonly version: 1;
  readonly projectDir: string;
  readonly config: ResolvedConfig;
  readonly selection: PlanSelection;
  readonly plan: PipelinePlan;
}

/** Reads a snapshot back from a run record; undefined when it is not one. */
export function readSnapshot(value: unknown): RunSnapshot | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<RunSnapshot>;
  if (v.version !== 1 || !v.config || !v.plan) return undefined;
  return v as RunSnapshot;
}
