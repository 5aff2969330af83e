/**
 * `slipway rollback SERVICE --env ENV --config-only`: a new revision made of the running
 * revision's code with the previous configuration version's settings (env values, secrets as
 * they were), deployed through the environment's strategy like any deploy.
 */
import { join } from 'node:path';
import type { ResolvedService } from '../../config/resolved.js';
import { readGitInfo } from '../../pipeline/git-info.js';
import { readManifest, revisionDir } from '../../platform/local/revisions.js';
import { readSecretValues, secretVersions } from '../../platform/secret-versions.js';
import { type ConfigVersion, previousSettings } from '../../rollout/config-versions.js';
import { RolloutError } from '../../rollout/errors.js';
import { loadConfigVersions } from '../../rollout/load-config-versions.js';
import { deploy, stableOf } from '../../rollout/rollout-service.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { fleetOf } from '../fleet.js';
import { stateDirOf } from '../platform.js';
import { actorOf, loadProject, openProjectStore } from '../project.js';
import { refuseRemoteFlag } from '../remote/remote-context.js';
import { rolloutDeps } from '../rollout-deps.js';
import { manifestSettings } from './config-history.js';
import { requireEnv } from './health.js';

/**
 * Refuses a target whose secrets cannot be had again: a secret's earlier value is not kept, so
 * each must be set now to the value whose version the target recorded.
 */
function checkSecrets(
  service: string,
  target: ConfigVersion,
  read: (name: string) => string | undefined,
  stateDir: string,
): void {
  const wanted = target.settings.secrets;
  const names = Object.keys(wanted);
  if (names.length === 0) return;
  const now = secretVersions(stateDir, readSecretValues(service, names, read));
  const differ = names.filter((name) => now[name] !== wanted[name]);
  if (differ.length > 0)
    throw new RolloutError(
      'CONFIG_VERSION_UNAVAILABLE',
      `the previous configuration of ${service} (${target.revision}) ran with other values of ${differ
        .map((name) => `${name} (version ${wanted[name]}, set now: ${now[name]})`)
        .join(
          ', ',
        )}; earlier secret values are not kept: set them back to the values of then, or deploy the settings you want`,
    );
}

/** Redeploys the running code with the previous configuration version. */
export async function rollbackConfigCommand(
  ctx: CommandContext,
  serviceId: string,
  options: { env?: string; to?: string; region?: string },
): Promise<number> {
  const env = requireEnv(options.env);
  refuseRemoteFlag(ctx, true, '--config-only', "it builds the revision from this host's revisions");
  if (options.to !== undefined)
    throw new UsageError('--config-only goes back to the previous configuration version: it takes no --to');
  const { config, projectDir } = await loadProject(ctx);
  if (options.region !== undefined || fleetOf(config, env))
    throw new UsageError(`--config-only is for an environment on this host; ${env} has hosts`);
  const current = config.services[serviceId];
  if (!current) throw new RolloutError('SERVICE_UNKNOWN', `no service '${serviceId}' in the config`);
  const stateDir = stateDirOf(projectDir);
  const store = await openProjectStore(ctx, projectDir);
  try {
    const deps = rolloutDeps(ctx, projectDir, store);
    const ref = { service: serviceId, env };
    const running = stableOf(await deps.platform.status(ref));
    const manifest = running && readManifest(stateDir, serviceId, running.id);
    if (!running || !manifest)
      throw new RolloutError('NOTHING_TO_ROLL_BACK_TO', `${serviceId} runs no revision in ${env}`);
    const versions = await loadConfigVersions(store, ref, (revision) =>
      manifestSettings(stateDir, serviceId, revision),
    );
    const settings = { env: manifest.config.env, secrets: manifest.config.secretVersions ?? {} };
    const target = previousSettings(versions, settings);
    if (!target)
      throw new RolloutError(
        'NOTHING_TO_ROLL_BACK_TO',
        `${serviceId} in ${env} has no earlier configuration version to roll back to`,
      );
    const read = deps.secret ?? ((name: string) => deps.env[name]);
    checkSecrets(serviceId, target, read, stateDir);
    const { secretVersions: _versions, secrets: _secrets, ...code } = manifest.config;
    const names = Object.keys(target.settings.secrets);
    const service: ResolvedService = {
      ...code,
      env: target.settings.env,
      ...(names.length > 0 ? { secrets: names } : {}),
      id: serviceId,
      source: join(revisionDir(stateDir, serviceId, running.id), 'source'),
      ...(current.dependsOn ? { dependsOn: current.dependsOn } : {}),
      path: current.path,
    };
    if (!ctx.output.json)
      ctx.output.line(
        `${serviceId} in ${env}: the code of ${running.id} with the settings of ${target.revision}`,
      );
    const outcome = await deploy(deps, {
      config: { ...config, services: { ...config.services, [serviceId]: service } },
      projectDir,
      service: serviceId,
      env,
      actor: actorOf(ctx),
      commitSha: readGitInfo(projectDir).sha,
    });
    if (outcome.status === 'busy')
      throw new UsageError(`another controller (${outcome.owner}) is driving this rollout`);
    if (outcome.status === 'unchanged' && !ctx.output.json)
      ctx.output.line(`${serviceId} ${outcome.revision} already serves ${env}: nothing to deploy`);
    return outcome.status === 'completed' || outcome.status === 'unchanged' ? ExitCode.Ok : ExitCode.Failed;
  } finally {
    await store.close();
  }
}
