/**
 * Plans a flag rollout, as pure data: the variant's share at each step, how long each is held and
 * whether it is analysed. Stages in order, then 100%; without `gradualRollout`, one step straight
 * to 100% held (and analysed) for the last stage's duration.
 */

/** One step of a flag rollout. */
export interface FlagRolloutStep {
  /** The variant's share of users after the step (0..100). */
  readonly percent: number;
  /** How long the share is held with the metrics analysed before the next step (0: not held). */
  readonly holdMs: number;
}

/** The stages a `featureFlag` strategy lists. */
export interface FlagStages {
  readonly stages: readonly { readonly traffic: number; readonly durationMs: number }[];
  readonly gradualRollout: boolean;
}

/** The steps of a flag rollout: every stage below 100% held for its duration, then 100%. */
export function planFlagRollout(input: FlagStages): FlagRolloutStep[] {
  const below = input.stages.filter((s) => s.traffic < 100);
  const at100 = input.stages.find((s) => s.traffic >= 100);
  if (!input.gradualRollout) {
    const last = input.stages.at(-1);
    return [{ percent: 100, holdMs: last?.durationMs ?? 0 }];
  }
  return [
    ...below.map((s) => ({ percent: s.traffic, holdMs: s.durationMs })),
    { percent: 100, holdMs: at100?.durationMs ?? 0 },
  ];
}
