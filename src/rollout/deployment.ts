/**
 * How one service is deployed to one environment: the environment's strategy, analysis, checks
 * and hooks, with the sections the service overrides for that environment replacing them.
 */
import { defaultDeployment } from '../config/resolve-deployments.js';
import type { ResolvedConfig, ResolvedDeployment } from '../config/resolved.js';

/** The deployment of `serviceId` to `env`; an environment missing from `environments:` gets the defaults. */
export function deploymentFor(config: ResolvedConfig, serviceId: string, env: string): ResolvedDeployment {
  const environment = config.environments[env];
  const base: ResolvedDeployment = environment
    ? {
        strategy: environment.strategy,
        analysis: environment.analysis,
        checks: environment.checks,
        hooks: environment.hooks,
      }
    : defaultDeployment();
  const override = config.deployOverrides[serviceId]?.[env] ?? {};
  return { ...base, ...override };
}
