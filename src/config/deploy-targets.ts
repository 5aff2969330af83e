/** Which deploy-stage environments deploy the config's services (kept free of the schema, for fast planning). */
import type { ResolvedConfig } from './resolved.js';

/** True when the services are deployed to the environment `name` of a deploy stage. */
export function deploysServices(config: ResolvedConfig, name: string): boolean {
  if (Object.keys(config.services).length === 0) return false;
  return Object.keys(config.environments).length === 0 || name in config.environments;
}
