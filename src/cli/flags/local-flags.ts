import type { ResolvedHost } from '../../config/resolved.js';
import { flagOf, withDefaultVariant, withState, withWeights } from '../../flags/flag-changes.js';
import { EMPTY_FLAG_DOCUMENT, type FlagDefinition, type FlagDocument } from '../../flags/flag-document.js';
import type { FlagSnapshot } from '../../flags/flag-engine.js';
import { type FlagVersion, FlagVersions } from '../../flags/versions/flag-versions.js';
import type { PublishedFlags } from '../../platform/flag-publisher.js';
import { LocalPlatform } from '../../platform/local/local-platform.js';
import { FlagsNotPublishedError, HostsFlagPublisher } from '../../platform/remote/hosts-flag-publisher.js';
import { closeHosts, openHosts } from '../../platform/remote/open-hosts.js';
import type { CommandContext } from '../context.js';
import { stateDirOf } from '../platform.js';
import { actorOf, type LoadedProject, loadProject, openProjectStore } from '../project.js';
import { sshClientOf } from '../ssh-client.js';
import type {
  FlagChangeAnswer,
  FlagChangeRequest,
  FlagList,
  FlagsBackend,
  FlagsServed,
} from './flags-backend.js';

/** The definition a change (other than a rollback) asks for; throws a FlagError for bad input. */
export function nextDefinition(
  doc: FlagDocument,
  key: string,
  request: Exclude<FlagChangeRequest, { kind: 'rollback' }>,
): FlagDefinition {
  switch (request.kind) {
    case 'set':
      return withDefaultVariant(doc, key, request.variant);
    case 'weights':
      return withWeights(doc, key, request.weights);
    case 'define':
      return request.definition;
    case 'enable':
      return withState(doc, key, 'ENABLED');
    case 'disable':
      return withState(doc, key, 'DISABLED');
  }
}

/** The flag set's shared parts (`$evaluators`, metadata) without its flags. */
function baseOf(doc: FlagDocument): Omit<FlagDocument, 'flags'> {
  const { flags: _flags, ...base } = doc;
  return base;
}

/** Opens the project's flags: loads slipway.yaml, opens the store and syncs the declared flags. */
export async function openLocalFlags(ctx: CommandContext): Promise<FlagsBackend> {
  const project = await loadProject(ctx);
  const store = await openProjectStore(ctx, project.projectDir);
  const declared = project.config.flags?.document ?? EMPTY_FLAG_DOCUMENT;
  const actor = actorOf(ctx);
  const versions = new FlagVersions(store);
  try {
    await versions.syncDeclared(declared, actor);
  } catch (error) {
    await store.close();
    throw error;
  }
  const base = baseOf(declared);
  const snapshot = () => versions.snapshot(base);

  const answer = async (flag: FlagVersion): Promise<FlagChangeAnswer> => ({
    flag,
    changed: true,
    served: await publish(ctx, project, await snapshot()),
  });

  return {
    async list(): Promise<FlagList> {
      const all = [...(await versions.latest()).values()];
      const flags = all.filter((v) => v.definition !== null).sort((a, b) => a.flag.localeCompare(b.flag));
      return { version: Math.max(0, ...all.map((v) => v.eventId)), flags };
    },
    get: (key) => versions.current(key),
    async history(key) {
      const found = await versions.history(key);
      if (found.length === 0) flagOf((await snapshot()).document, key);
      return found;
    },
    async change(key, request) {
      const doc = (await snapshot()).document;
      if (request.kind === 'rollback')
        return answer(await versions.rollback(key, request.to, { actor, source: 'cli' }, doc));
      const made = await versions.change(doc, key, nextDefinition(doc, key, request), {
        actor,
        change: request.kind,
        source: 'cli',
      });
      if (made.changed) return answer(made.flag);
      const served = await snapshot();
      return {
        flag: made.flag,
        changed: false,
        served: { version: served.version, published: [], note: 'nothing changed' },
      };
    },
    close: () => store.close(),
  };
}

/**
 * Publishes `snapshot` to this host's agent when one runs, and to the agent of every host of the
 * environments that run on hosts (over SSH); no local agent is not an error (the change is
 * recorded, and the next publish carries it), and neither is a config without `flags:`.
 */
async function publish(
  ctx: CommandContext,
  project: LoadedProject,
  snapshot: FlagSnapshot,
): Promise<FlagsServed> {
  const serving = project.config.flags?.ofrep;
  const skipped = (note: string): FlagsServed => ({ version: snapshot.version, published: [], note });
  if (!serving) return skipped('slipway.yaml has no flags: section, so no agent serves flags');
  const published: PublishedFlags[] = [];
  const errors: string[] = [];
  let note: string | undefined;
  // No agent command: publishing never starts this machine's agent, it only reaches one that runs.
  const platform = new LocalPlatform({ stateDir: stateDirOf(project.projectDir), env: ctx.io.env });
  if ((await platform.client.tryCall('GET', '/v1/status')) === undefined) note = 'no agent is running here';
  else {
    try {
      published.push(...(await platform.publishFlags(snapshot, serving)));
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  const hosts = fleetHostsOf(project.config);
  if (hosts.length > 0) {
    const platforms = openHosts(hosts, {
      localStateDir: stateDirOf(project.projectDir),
      client: sshClientOf(ctx),
    });
    try {
      const fleet = new HostsFlagPublisher(platforms.map((p) => ({ name: p.host.name, publisher: p })));
      published.push(...(await fleet.publishFlags(snapshot, serving)));
    } catch (error) {
      if (error instanceof FlagsNotPublishedError) published.push(...error.published);
      errors.push((error as Error).message);
    } finally {
      await closeHosts(platforms);
    }
  }
  return {
    version: snapshot.version,
    published,
    ...(note !== undefined && published.length === 0 ? { note } : {}),
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
  };
}

/** Every host of the environments that run on hosts, once each. */
function fleetHostsOf(config: LoadedProject['config']): ResolvedHost[] {
  const names = new Set<string>();
  for (const env of Object.values(config.environments))
    for (const region of Object.values(env.fleet?.regions ?? {})) for (const name of region) names.add(name);
  return [...names].flatMap((name) => (config.hosts?.[name] ? [config.hosts[name]] : []));
}
