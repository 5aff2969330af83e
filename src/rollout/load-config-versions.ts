/**
 * Reads the configuration versions of a service in an environment from its completed rollouts:
 * each deploy stores the settings of its revision with its plan; a rollback to a revision takes
 * the settings that revision was deployed with.
 */
import type { ServiceRef } from '../platform/platform.js';
import type { Store } from '../store/store.js';
import { type ConfigVersion, configVersions, type RevisionSettings } from './config-versions.js';
import type { RolloutSpec } from './controller/rollout-spec.js';

/** How many rollouts back the versions are read. */
const MAX_ROLLOUTS = 1000;

/**
 * The versions, newest first; `settingsOf` answers for a revision no stored rollout carries the
 * settings of (one deployed before they were recorded).
 */
export async function loadConfigVersions(
  store: Store,
  ref: ServiceRef,
  settingsOf: (revision: string) => RevisionSettings | undefined = () => undefined,
): Promise<ConfigVersion[]> {
  const rollouts = (
    await store.listRollouts({
      service: ref.service,
      environment: ref.env,
      active: false,
      limit: MAX_ROLLOUTS,
    })
  ).filter((rollout) => rollout.phase === 'completed');
  const known = new Map<string, RevisionSettings>();
  for (const rollout of rollouts) {
    const settings = (rollout.plan as RolloutSpec | undefined)?.settings;
    if (settings && !known.has(rollout.revision)) known.set(rollout.revision, settings);
  }
  return configVersions(
    rollouts.map((rollout) => {
      const settings = known.get(rollout.revision) ?? settingsOf(rollout.revision);
      return {
        revision: rollout.revision,
        at: rollout.finishedAt ?? rollout.startedAt,
        actor: rollout.actor,
        ...(settings ? { settings } : {}),
      };
    }),
  );
}
