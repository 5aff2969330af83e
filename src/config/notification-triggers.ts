/** What notifications are sent about: the triggers a channel subscribes to in `gitops.notifications`. */

/** Every trigger, in Argo CD notifications' spirit. */
export const TRIGGERS = [
  'sync.succeeded',
  'sync.failed',
  'deploy.completed',
  'rollout.rolledback',
  'health.degraded',
  'approval.waiting',
  'pipeline.failed',
  'region.failedover',
  'infra.drifted',
] as const;

export type Trigger = (typeof TRIGGERS)[number];
