/** The vocabulary of a planned rollout: one step and what it does, produced by the strategies and applied by the controller. */

/** What a step does besides moving instances and weights; documented in docs/rollouts.md. */
export type RolloutAction =
  | 'preDeploy'
  | 'expand'
  | 'scaleUp'
  | 'warmup'
  | 'smoke'
  | 'securityCheck'
  | 'traffic'
  | 'pause'
  | 'scaleDown'
  | 'postDeploy'
  | 'promote'
  | 'securityVerify'
  | 'contract';

/** One step of a rollout and the state it leaves behind. */
export interface RolloutStep {
  readonly action: RolloutAction;
  /** Traffic share per revision after the step: every revision with instances, and the new one. */
  readonly weights: Readonly<Record<string, number>>;
  /** Instances that exist after the step (ready or starting), per revision: the stable and the new one. */
  readonly instances: Readonly<Record<string, number>>;
  /** Hold this long after reaching the step (canary stage duration, blueGreen scaleDownDelay, ...). */
  readonly durationMs?: number;
  /** Analysis runs during the hold. */
  readonly analyze?: boolean;
  /** Wait for `slipway promote` after this step. */
  readonly pause?: boolean;
}
