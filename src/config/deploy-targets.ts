/** Which deploy-stage environments deploy the config's services (kept free of the schema, for fast planning). */
import type { ResolvedConfig } from './resolved.js';

/** True when the services are deployed to the environment `name` of a deploy stage. */
export function deploysServices(config: ResolvedConfig, name: string): boolean {
  if (Object.keys(config.services).length === 0) return false;
  return Object.keys(config.environments).length === 0 || name in config.environments;
}

/** Environments behind `approval: manual_approval` in the config's deploy stages. */
export function gatedEnvironments(config: ResolvedConfig): Set<string> {
  const names = new Set<string>();
  for (const stage of config.stages) {
    if (stage.kind !== 'deploy') continue;
    for (const env of stage.environments) if (env.approval === 'manual_approval') names.add(env.name);
  }
  return names;
}
