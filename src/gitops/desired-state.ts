/**
 * The desired state at the head of the watched branch: the commit, the slipway.yaml found at the
 * watched path (checked like any config, errors at file:line:col), and for each service and
 * environment the content-addressed revision its source and config make at that commit (the id
 * `slipway deploy` would give it from the same files).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deploysServices } from '../config/deploy-targets.js';
import { loadConfigFile } from '../config/load-config.js';
import type { ResolvedConfig } from '../config/resolved.js';
import { revisionIdOf } from '../platform/revision-fingerprint.js';
import { regionScope } from '../rollout/fleet/region-platform.js';
import { GitOpsError } from './errors.js';
import type { DesiredCommit, GitMirror } from './git-mirror.js';
import type { DesiredApp } from './reconcile-plan.js';

/** What the watched commit asks for. */
export interface DesiredState {
  readonly commit: DesiredCommit;
  /** The watched path at the commit: its slipway.yaml and the sources it references. */
  readonly projectDir: string;
  /** The repository mirror the commit is in (for the commits a deploy brings). */
  readonly gitDir: string;
  readonly config: ResolvedConfig;
  /** Per environment (in config order), per service: the revision and instance count. */
  readonly apps: readonly DesiredApp[];
  /** Environments with hosts (their applications are per region: `<env>@<region>`). */
  readonly fleetEnvironments: readonly string[];
}

/**
 * Desired states already read, by commit: a commit's tree never changes, so a pass that finds the
 * branch where it was does not read and fingerprint it again. Keeps the last two.
 */
export class DesiredCache {
  readonly #states = new Map<string, DesiredState>();

  get(commit: string): DesiredState | undefined {
    return this.#states.get(commit);
  }

  set(state: DesiredState): void {
    this.#states.delete(state.commit.commit);
    this.#states.set(state.commit.commit, state);
    for (const old of this.#states.keys()) {
      if (this.#states.size <= 2) break;
      this.#states.delete(old);
    }
  }
}

/** Fetches the branch and reads its desired state (from `cache` when it has the commit); throws GitOpsError. */
export async function readDesiredState(mirror: GitMirror, cache?: DesiredCache): Promise<DesiredState> {
  const commit = await mirror.fetch();
  const cached = cache?.get(commit.commit);
  if (cached) return cached;
  const state = await readCommit(mirror, commit);
  cache?.set(state);
  return state;
}

async function readCommit(mirror: GitMirror, commit: DesiredCommit): Promise<DesiredState> {
  const projectDir = await mirror.tree(commit.commit);
  const file = join(projectDir, 'slipway.yaml');
  const at = `${mirror.url} at ${commit.commit.slice(0, 12)}`;
  if (!existsSync(file)) throw new GitOpsError('NO_CONFIG', `no slipway.yaml in the watched path of ${at}`);
  const loaded = loadConfigFile(file);
  if (!loaded.config) {
    const errors = loaded.diagnostics
      .filter((d) => d.severity === 'error')
      .slice(0, 5)
      .map((d) => `${d.file ?? 'slipway.yaml'}:${d.line}:${d.col}: ${d.message}`);
    throw new GitOpsError('CONFIG_INVALID', `the desired state of ${at} is not valid: ${errors.join('; ')}`);
  }
  const { config } = loaded;
  const apps: DesiredApp[] = [];
  const fleetEnvironments: string[] = [];
  for (const [env, settings] of Object.entries(config.environments)) {
    // An environment with hosts is an application per region, under the region's scope.
    if (settings.fleet) fleetEnvironments.push(env);
    if (!deploysServices(config, env)) continue;
    const scopes = settings.fleet ? settings.fleet.waves.map((w) => regionScope(env, w.region)) : [env];
    for (const service of Object.values(config.services)) {
      // A secret's version depends on a value outside the commit: the desired revision cannot be known.
      if (service.secrets)
        throw new GitOpsError(
          'CONFIG_INVALID',
          `service ${service.id} has secrets, which a GitOps pass does not deploy: deploy it with \`slipway deploy\``,
        );
      const revision = revisionIdOf(service, projectDir);
      for (const scope of scopes)
        apps.push({ service: service.id, env: scope, revision, instances: service.instances });
    }
  }
  return { commit, projectDir, gitDir: mirror.gitDir, config, apps, fleetEnvironments };
}
