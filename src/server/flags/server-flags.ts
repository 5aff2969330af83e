/**
 * The server's flag set: the FlagEngine its OFREP routes answer from, rebuilt whenever the set
 * changes. Its own changes rebuild it at once; changes made elsewhere (the CLI writing the same
 * store, a flag rollout, an edit of slipway.yaml's `flags:`) are found by a cheap poll of the
 * newest `flag.changed` id and of the config file. Each rebuilt set is published to the platform's
 * agents when the platform serves flags.
 */
import type { ResolvedConfig } from '../../config/resolved.js';
import { EMPTY_FLAG_DOCUMENT, type FlagDocument } from '../../flags/flag-document.js';
import { FlagEngine, type FlagSnapshot } from '../../flags/flag-engine.js';
import { FlagVersions } from '../../flags/versions/flag-versions.js';
import { PlatformError } from '../../platform/errors.js';
import { type FlagServing, isFlagPublisher, type PublishedFlags } from '../../platform/flag-publisher.js';
import type { Platform } from '../../platform/platform.js';
import type { Store } from '../../store/store.js';
import type { ServerLogger } from '../background.js';

/** What the server's flags are built from. */
export interface ServerFlagsDeps {
  readonly store: Store;
  /** The project's config (the server's cached one): its declared flags, evaluators and OFREP serving. */
  readonly loadConfig: () => Promise<ResolvedConfig>;
  readonly platform: Platform;
  readonly logger: ServerLogger;
  /** How often to look for changes made elsewhere (a change is served within this, plus a rebuild). */
  readonly pollMs: number;
}

/** Where the set is served after a rebuild: its version, the agents that took it, or why not. */
export interface ServedFlags {
  readonly version: number;
  readonly published: readonly PublishedFlags[];
  readonly note?: string;
  readonly error?: string;
}

/** How long the poll leaves a config that failed to load before reading it again. */
const CONFIG_RETRY_MS = 5_000;

/** The actor of the declared flags the server records when slipway.yaml changes. */
const CONFIG_ACTOR = 'slipway.yaml';

/** The server's current flag set and the loop that keeps it current. */
export class ServerFlags {
  readonly versions: FlagVersions;
  private current = new FlagEngine({ version: 0, document: EMPTY_FLAG_DOCUMENT });
  /** The config whose declared flags were last synced (the server's config object changes with the file). */
  private synced: ResolvedConfig | undefined;
  private base: Omit<FlagDocument, 'flags'> = {};
  private serving: FlagServing | undefined;
  private stale = true;
  /** The newest `flag.changed` id a rebuild has read (served, or found unservable). */
  private seen = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private publishing: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** When the poll reads a config that failed to load again. */
  private configRetryAt = 0;
  /** What was last logged, so a problem that lasts is logged once. */
  private logged = new Set<string>();

  constructor(private readonly deps: ServerFlagsDeps) {
    this.versions = new FlagVersions(deps.store);
  }

  /** The engine answering OFREP now. */
  engine(): FlagEngine {
    return this.current;
  }

  /** Builds the first set and starts looking for changes made elsewhere. */
  start(): void {
    const tick = () => {
      this.timer = undefined;
      void this.serially(() => this.poll()).finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.deps.pollMs);
      });
    };
    tick();
  }

  /** Stops the loop and waits for the rebuild and the publish under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.queue.catch(() => {});
    await this.publishing.catch(() => {});
  }

  /**
   * Runs a read after the declared flags of the current config are synced; a config that does not
   * load leaves the versions as they are (a change, which needs its evaluators, is refused instead).
   */
  read<T>(work: (versions: FlagVersions) => Promise<T>): Promise<T> {
    return this.serially(async () => {
      await this.trySyncConfig();
      return work(this.versions);
    });
  }

  /**
   * Runs a change, one at a time: `work` gets the set as it stands (with the config's evaluators)
   * and records what it changes; the engine is then rebuilt at once and the set published.
   */
  async change<T>(
    work: (versions: FlagVersions, document: FlagDocument) => Promise<T>,
  ): Promise<{ readonly value: T; readonly served: ServedFlags }> {
    const done = await this.serially(async () => {
      await this.syncConfig();
      const before = await this.versions.snapshot(this.base);
      const value = await work(this.versions, before.document);
      const snapshot = await this.versions.snapshot(this.base);
      if (snapshot.version === this.seen && !this.stale) {
        const served: ServedFlags = { version: snapshot.version, published: [], note: 'nothing changed' };
        return { value, served: Promise.resolve(served) };
      }
      // The publish is awaited outside the queue: a slow agent holds this answer, not other requests.
      return { value, served: this.rebuild(snapshot) };
    });
    return { value: done.value, served: await done.served };
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  /** One look for changes: the config file, then the newest `flag.changed` event. */
  private async poll(): Promise<void> {
    if (Date.now() >= this.configRetryAt) await this.trySyncConfig();
    try {
      // As the notifier does without channels, a project without flags (no `flags:` and none
      // recorded) costs no read of the log: it is read again once slipway.yaml gains `flags:`.
      const following =
        this.serving !== undefined || Object.keys(this.current.snapshot.document.flags).length > 0;
      const newer =
        this.stale || !following
          ? []
          : await this.deps.store.listEvents({ types: ['flag.changed'], afterId: this.seen, limit: 1 });
      // The publish goes on outside the queue (rebuild has already swapped the engine).
      if (newer.length > 0 || this.stale) void this.rebuild(await this.versions.snapshot(this.base));
      this.logged.delete('store');
    } catch (error) {
      this.logOnce('store', `flags: reading the flag versions failed: ${messageOf(error)}`);
    }
  }

  /**
   * syncConfig, where a config that does not load keeps the set served as it was, is logged once,
   * and is read again by the poll only after a pause (the server caches only configs that load).
   */
  private async trySyncConfig(): Promise<void> {
    try {
      await this.syncConfig();
      this.logged.delete('config');
      this.configRetryAt = 0;
    } catch (error) {
      this.configRetryAt = Date.now() + CONFIG_RETRY_MS;
      this.logOnce(
        'config',
        `flags: slipway.yaml cannot be read, its flags are not synced: ${messageOf(error)}`,
      );
    }
  }

  /** Records the declared flags of a config not synced yet, and takes its evaluators and serving. */
  private async syncConfig(): Promise<void> {
    const config = await this.deps.loadConfig();
    if (config === this.synced) return;
    const declared = config.flags?.document ?? EMPTY_FLAG_DOCUMENT;
    await this.versions.syncDeclared(declared, CONFIG_ACTOR);
    const { flags: _flags, ...base } = declared;
    this.base = base;
    this.serving = config.flags?.ofrep;
    this.synced = config;
    this.stale = true;
  }

  /**
   * Serves `snapshot` from now on (at once, before this returns) and publishes it; a set that
   * cannot be built keeps the last one.
   */
  private rebuild(snapshot: FlagSnapshot): Promise<ServedFlags> {
    this.seen = Math.max(this.seen, snapshot.version);
    try {
      this.current = new FlagEngine(snapshot);
      this.stale = false;
    } catch (error) {
      this.stale = false;
      this.logOnce(
        `build ${snapshot.version}`,
        `flags: version ${snapshot.version} is not served: ${messageOf(error)}`,
      );
      return Promise.resolve({
        version: this.current.snapshot.version,
        published: [],
        error: messageOf(error),
      });
    }
    return this.publish(snapshot);
  }

  /** Publishes to the platform's agents, one publish at a time; a failure is logged and answered. */
  private publish(snapshot: FlagSnapshot): Promise<ServedFlags> {
    const { platform } = this.deps;
    const serving = this.serving;
    const version = snapshot.version;
    if (!serving)
      return Promise.resolve({ version, published: [], note: 'slipway.yaml has no flags: section' });
    if (version === 0) return Promise.resolve({ version, published: [], note: 'no flag was ever recorded' });
    if (!isFlagPublisher(platform))
      return Promise.resolve({ version, published: [], note: 'the platform serves no flags' });
    const done = this.publishing.then(async (): Promise<ServedFlags> => {
      try {
        const published = await platform.publishFlags(snapshot, serving);
        this.logged.delete('publish');
        return { version, published };
      } catch (error) {
        // No agent to publish to is what a server without one has: the server serves the set itself.
        if (error instanceof PlatformError && error.code === 'AGENT_UNAVAILABLE') {
          this.logOnce('publish', `flags: not published to an agent: ${messageOf(error)}`, 'info');
          return { version, published: [], note: messageOf(error) };
        }
        this.logOnce('publish', `flags: publishing version ${version} failed: ${messageOf(error)}`);
        return { version, published: [], error: messageOf(error) };
      }
    });
    this.publishing = done;
    return done;
  }

  private logOnce(key: string, message: string, level: 'info' | 'error' = 'error'): void {
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.deps.logger[level](message);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
