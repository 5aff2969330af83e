/**
 * Infrastructure plans as the event log holds them: `infra.planned` records a plan (its id is the
 * event's), and `infra.approved`, `infra.overridden`, `infra.applied` and `infra.failed` (subject:
 * the plan's id) record what became of it. Reading a plan folds them into its status.
 */
import type { Store, StoredEvent } from '../store/store.js';
import type { CostEstimate } from './cost/estimate-cost.js';
import { InfraError } from './errors.js';
import type { PolicyReport } from './policy/evaluate-policies.js';
import type { PlanSummary } from './terraform/plan-summary.js';
import type { ResourceChange } from './terraform/resource-change.js';

/** The compliance check of a plan. */
export type PolicyOutcome = PolicyReport;

/** The cost estimate of a plan, from the user's price catalogue. */
export type CostOutcome = CostEstimate;

/** One problem of a Kubernetes manifest or Helm chart found offline. */
export interface ManifestFinding {
  readonly severity: 'error' | 'warning';
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
  readonly kind?: string;
  readonly name?: string;
  readonly path: string;
  readonly message: string;
}

/** What a plan does to Kubernetes and Helm. */
export interface ClusterOutcome {
  /** Rendered manifests (plain files or kustomize), saved with the plan. */
  readonly manifests: number;
  readonly issues: readonly ManifestFinding[];
  /** The releases to install or upgrade. */
  readonly releases: readonly string[];
  /** `kubectl diff` / `helm diff` output when the dry run ran against a cluster. */
  readonly diff?: string;
}

/** A plan as recorded by `infra.planned`. */
export interface InfraPlanData {
  readonly environment: string;
  readonly runId: number | null;
  /** SHA-256 of what will be applied: the saved Terraform plan and the rendered manifests. */
  readonly hash: string;
  /** The directory holding the saved plan (`terraform.tfplan`) and manifests (`manifests.yaml`). */
  readonly dir: string;
  readonly terraform: {
    readonly version: string;
    readonly summary: PlanSummary;
    /** Each change that does something, masked. */
    readonly changes: readonly ResourceChange[];
  } | null;
  readonly policy: PolicyOutcome | null;
  readonly cost: CostOutcome | null;
  readonly cluster: ClusterOutcome | null;
}

/** Where a plan is: waiting for approval, approved (bound to its hash), applied, or failed. */
export type InfraPlanStatus = 'planned' | 'approved' | 'applied' | 'failed';

/** A plan and what became of it. */
export interface InfraPlan extends InfraPlanData {
  readonly id: number;
  readonly actor: string;
  readonly createdAt: number;
  readonly status: InfraPlanStatus;
  readonly approval?: { readonly by: string; readonly hash: string; readonly at: number };
  readonly override?: { readonly by: string; readonly reason: string; readonly at: number };
  readonly applied?: { readonly by: string; readonly at: number; readonly durationMs: number };
  readonly failure?: { readonly message: string; readonly code: string; readonly at: number };
}

const OUTCOMES = ['infra.approved', 'infra.overridden', 'infra.applied', 'infra.failed'] as const;

/** The plan an `infra.planned` event records, with what `outcomes` (its later events) say became of it. */
export function fold(planned: StoredEvent, outcomes: readonly StoredEvent[]): InfraPlan {
  const data = planned.data as unknown as InfraPlanData;
  let plan: InfraPlan = {
    ...data,
    id: planned.id,
    actor: planned.actor,
    createdAt: planned.time,
    status: 'planned',
  };
  for (const event of outcomes) {
    if (event.subject !== String(planned.id)) continue;
    const d = event.data as Record<string, unknown>;
    if (event.type === 'infra.approved')
      plan = {
        ...plan,
        status: 'approved',
        approval: { by: event.actor, hash: String(d.hash), at: event.time },
      };
    else if (event.type === 'infra.overridden')
      plan = { ...plan, override: { by: event.actor, reason: String(d.reason), at: event.time } };
    else if (event.type === 'infra.applied')
      plan = {
        ...plan,
        status: 'applied',
        applied: { by: event.actor, at: event.time, durationMs: Number(d.durationMs) },
      };
    else if (event.type === 'infra.failed')
      plan = {
        ...plan,
        status: 'failed',
        failure: { message: String(d.message), code: String(d.code), at: event.time },
      };
  }
  return plan;
}

/** Every plan of `environment` (or of every environment), oldest first. */
export async function listInfraPlans(store: Store, environment?: string): Promise<InfraPlan[]> {
  const filter = environment === undefined ? {} : { environment };
  const [planned, outcomes] = await Promise.all([
    store.listEvents({ types: ['infra.planned'], ...filter }),
    store.listEvents({ types: [...OUTCOMES], ...filter }),
  ]);
  return planned.map((event) => fold(event, outcomes));
}

/** The plan with id `id`, or the latest of `environment` when `id` is undefined; INFRA_PLAN_NOT_FOUND otherwise. */
export async function getInfraPlan(store: Store, environment: string, id?: number): Promise<InfraPlan> {
  let plan: InfraPlan | undefined;
  if (id === undefined) plan = (await listInfraPlans(store, environment)).at(-1);
  else {
    // One plan's event, not every plan's: plans are large (every change with its attributes).
    const [planned] = await store.listEvents({
      types: ['infra.planned'],
      environment,
      afterId: id - 1,
      limit: 1,
    });
    if (planned?.id === id)
      plan = fold(planned, await store.listEvents({ types: [...OUTCOMES], environment, afterId: id }));
  }
  if (!plan)
    throw new InfraError(
      'INFRA_PLAN_NOT_FOUND',
      id === undefined
        ? `'${environment}' has no infrastructure plan yet: run slipway infra plan ${environment}`
        : `'${environment}' has no infrastructure plan ${id}`,
    );
  return plan;
}

/** The plan a run made for `environment`, if any (its latest). */
export async function runInfraPlan(
  store: Store,
  runId: number,
  environment: string,
): Promise<InfraPlan | undefined> {
  const plans = await listInfraPlans(store, environment);
  return plans.filter((p) => p.runId === runId).at(-1);
}
