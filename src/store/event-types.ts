// The closed list of event types the append-only event log accepts, named after CDEvents where one fits.

/**
 * Every event type Slipway records. Names follow CDEvents subjects and predicates
 * (https://cdevents.dev) where one exists; `approval.*`, `rollout.*` and `release.published`
 * are Slipway's own. Adding a type is a code change only: the database stores it as text.
 */
export const EVENT_TYPES = [
  // Pipeline runs and their jobs (CDEvents core: pipelineRun, taskRun).
  'pipelinerun.queued',
  'pipelinerun.started',
  'pipelinerun.finished',
  'taskrun.started',
  'taskrun.finished',
  // Source changes (CDEvents source code control: change), the start of lead time.
  'change.created',
  'change.merged',
  // Artifacts (CDEvents continuous integration: artifact).
  'artifact.packaged',
  'artifact.published',
  // Manual gates (Slipway).
  'approval.requested',
  'approval.granted',
  'approval.rejected',
  // Pipeline policies: a rule of an environment's protection that blocked its gate or refused an approval,
  // and the rules a gate satisfied (Slipway).
  'protection.blocked',
  'protection.passed',
  // Deployments (CDEvents continuous deployment: service, environment).
  'service.deployed',
  'service.upgraded',
  'service.rolledback',
  'service.removed',
  'environment.created',
  'environment.modified',
  'environment.deleted',
  // Progressive rollouts (Slipway).
  'rollout.started',
  'rollout.progressed',
  'rollout.paused',
  'rollout.completed',
  'rollout.aborted',
  // Expand/contract schema migrations run as rollout steps, and `down` after `rollback --schema` (Slipway).
  'migration.expanded',
  'migration.contracted',
  'migration.failed',
  'migration.reverted',
  // Database snapshots taken before deploys, and data rollbacks that restored one (Slipway).
  'database.snapshotted',
  'database.restored',
  // Fleet deploys: one wave per region, in order (Slipway).
  'fleet.started',
  'fleetwave.started',
  'fleetwave.completed',
  'fleetwave.failed',
  'fleet.completed',
  'fleet.failed',
  // Regions behind an environment's edge: health and failover (Slipway).
  'region.unhealthy',
  'region.recovered',
  'region.failedover',
  'region.restoring',
  'region.restored',
  // GitOps reconcile passes: a sync of a commit, what a pass pruned, automatic passes suspended and resumed (Slipway).
  'gitops.synced',
  'gitops.failed',
  'gitops.pruned',
  'gitops.suspended',
  'gitops.resumed',
  'gitops.degraded',
  // Releases (Slipway).
  'release.published',
  // Feature flags: each versioned change of a definition, and staged rollouts of a variant (Slipway).
  'flag.changed',
  'flagrollout.started',
  'flagrollout.progressed',
  'flagrollout.completed',
  'flagrollout.rolledback',
  // Infrastructure: a saved Terraform plan, its approval (bound to the plan's hash), a policy override, the apply, drift (Slipway).
  'infra.planned',
  'infra.approved',
  'infra.overridden',
  'infra.applied',
  'infra.failed',
  'infra.drifted',
  // Security findings: a job's scanner reports read, gated and stored (counts per severity) (Slipway).
  'findings.recorded',
  // Operations (CDEvents: incident), the start and end of time to restore.
  'incident.detected',
  'incident.resolved',
  // The server's audit trail: one per mutating API request (Slipway).
  'audit.recorded',
] as const;

/** One of EVENT_TYPES. */
export type EventType = (typeof EVENT_TYPES)[number];

const known: ReadonlySet<string> = new Set(EVENT_TYPES);

/** True when `value` is a known event type. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && known.has(value);
}
