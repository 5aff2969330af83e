/**
 * `slipway config history SERVICE --env ENV`: the configuration versions of a service, newest
 * first, each with what changed: env values (config, shown) and secrets by version (never a value).
 */
import { readManifest } from '../../platform/local/revisions.js';
import type { ConfigVersion, RevisionSettings, SettingChange } from '../../rollout/config-versions.js';
import { loadConfigVersions } from '../../rollout/load-config-versions.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { stateDirOf } from '../platform.js';
import { openProjectStore, projectDirOf } from '../project.js';
import { refuseRemoteFlag } from '../remote/remote-context.js';
import { requireEnv } from './health.js';

/** The settings a revision kept on disk was made with, for revisions deployed before settings were recorded. */
export function manifestSettings(
  stateDir: string,
  service: string,
  revision: string,
): RevisionSettings | undefined {
  const manifest = readManifest(stateDir, service, revision);
  return manifest && { env: manifest.config.env, secrets: manifest.config.secretVersions ?? {} };
}

/** `added`, `removed` or `changed` (`rotated` for a secret). */
function kindOf(change: SettingChange, secret: boolean): string {
  if (change.from === undefined) return 'added';
  if (change.to === undefined) return 'removed';
  return secret ? 'rotated' : 'changed';
}

function describeChanges(changes: readonly SettingChange[], secret: boolean) {
  return changes.map((change) => ({ ...change, change: kindOf(change, secret) }));
}

/** One line per change: env values shown, secrets by version only. */
function changeLines(version: ConfigVersion): string[] {
  if (!version.diff) {
    const env = Object.entries(version.settings.env).map(([key, value]) => `  env     ${key}=${value}`);
    const secrets = Object.entries(version.settings.secrets).map(
      ([name, v]) => `  secret  ${name}: version ${v}`,
    );
    return ['  first version', ...env, ...secrets];
  }
  const env = version.diff.env.map((c) =>
    c.from === undefined
      ? `  env     + ${c.key}=${c.to}`
      : c.to === undefined
        ? `  env     - ${c.key} (was ${c.from})`
        : `  env     ${c.key}: ${c.from} → ${c.to}`,
  );
  const secrets = version.diff.secrets.map((c) =>
    c.from === undefined
      ? `  secret  + ${c.key} (version ${c.to})`
      : c.to === undefined
        ? `  secret  - ${c.key}`
        : `  secret  ${c.key}: version ${c.from} → ${c.to} (rotated)`,
  );
  return [...env, ...secrets];
}

/** Lists the configuration versions of a service in an environment. */
export async function configHistoryCommand(
  ctx: CommandContext,
  service: string,
  options: { env?: string },
): Promise<number> {
  const env = requireEnv(options.env);
  refuseRemoteFlag(ctx, true, 'config history', "it reads this project's store and revisions");
  const projectDir = projectDirOf(ctx);
  const stateDir = stateDirOf(projectDir);
  const store = await openProjectStore(ctx, projectDir);
  let versions: ConfigVersion[];
  try {
    versions = await loadConfigVersions(store, { service, env }, (revision) =>
      manifestSettings(stateDir, service, revision),
    );
  } finally {
    await store.close();
  }
  if (ctx.output.json) {
    ctx.output.data({
      service,
      env,
      versions: versions.map((v) => ({
        revision: v.revision,
        deployedAt: new Date(v.deployedAt).toISOString(),
        actor: v.actor,
        env: v.settings.env,
        secrets: v.settings.secrets,
        changes: v.diff
          ? { env: describeChanges(v.diff.env, false), secrets: describeChanges(v.diff.secrets, true) }
          : null,
      })),
    });
    return ExitCode.Ok;
  }
  if (versions.length === 0) {
    ctx.output.line(`${service} has no deployed configuration in ${env}`);
    return ExitCode.Ok;
  }
  ctx.output.line(`${service} in ${env}: ${versions.length} configuration version(s), newest first`);
  for (const version of versions) {
    const at = new Date(version.deployedAt).toISOString().replace('T', ' ').slice(0, 19);
    ctx.output.line(`${version.revision}  ${at}  by ${version.actor}`);
    for (const line of changeLines(version)) ctx.output.line(line);
  }
  return ExitCode.Ok;
}
