/** The local platform: the Platform contract over this host's agent, which also serves flags. */
import { readFileSync } from 'node:fs';
import type { FlagSnapshot } from '../../flags/flag-engine.js';
import { PlatformError } from '../errors.js';
import type { FlagPublisher, FlagServing, PublishedFlags } from '../flag-publisher.js';
import type {
  EndpointSpec,
  HealthReport,
  Platform,
  ReadyResult,
  Revision,
  RevisionInput,
  ServiceRef,
  ServiceStatus,
  StoredRevision,
  TrafficSpec,
} from '../platform.js';
import { secretVersions } from '../secret-versions.js';
import type { RouterMetricsSnapshot } from '../traffic-metrics.js';
import { AgentApi } from './agent-api.js';
import { AgentClient, type AgentCommand } from './agent-client.js';
import { createRevision, pinReason, pinRevision, pruneRevisions, readManifest } from './revisions.js';

/** How to reach (and, when needed, start) the agent of a project. */
export interface LocalPlatformOptions {
  /** The project's `.slipway` directory. */
  readonly stateDir: string;
  /** argv that starts the agent (`slipway` itself); without it an agent must already run. */
  readonly agentCommand?: AgentCommand;
  readonly env?: NodeJS.ProcessEnv;
}

/** Services as processes on this host behind the agent's router; flags served by the same agent. */
export class LocalPlatform implements Platform, FlagPublisher {
  readonly client: AgentClient;
  readonly #api: AgentApi;

  constructor(private readonly options: LocalPlatformOptions) {
    this.client = new AgentClient(options.stateDir, options.agentCommand, options.env);
    this.#api = new AgentApi(this.client);
  }

  /** Snapshots the revision, then keeps the newest revisions of the service and every one that runs. */
  async createRevision(input: RevisionInput): Promise<Revision> {
    const values = input.service.secrets ? (input.secretValues ?? {}) : {};
    const versions = input.service.secrets ? secretVersions(this.options.stateDir, values) : undefined;
    const { config, ...revision } = createRevision(
      this.options.stateDir,
      input.service,
      input.baseDir,
      undefined,
      versions,
    );
    if (versions) await this.#api.holdSecrets(revision.service, revision.id, values);
    const inUse = new Set([revision.id]);
    for (const status of await this.list()) {
      if (status.service === revision.service) for (const r of status.revisions) inUse.add(r.id);
    }
    pruneRevisions(this.options.stateDir, revision.service, inUse);
    return config.secretVersions ? { ...revision, secretVersions: config.secretVersions } : revision;
  }

  async findRevision(service: string, id: string): Promise<StoredRevision | undefined> {
    if (!isPathSafe(service) || !REVISION_ID.test(id)) return undefined;
    const manifest = readManifest(this.options.stateDir, service, id);
    if (!manifest) return undefined;
    const { config: _config, ...revision } = manifest;
    const pinned = pinReason(this.options.stateDir, service, id);
    return pinned === undefined ? revision : { ...revision, pinned };
  }

  async pinRevision(service: string, id: string, reason: string): Promise<void> {
    if (!isPathSafe(service) || !REVISION_ID.test(id)) {
      throw new PlatformError('REVISION_NOT_FOUND', `service ${service} has no revision ${id}`);
    }
    pinRevision(this.options.stateDir, service, id, reason);
  }

  ensureService(ref: ServiceRef, endpoint: EndpointSpec): Promise<ServiceStatus> {
    return this.#api.ensureService(ref, endpoint);
  }

  scale(ref: ServiceRef, revision: string, instances: number): Promise<void> {
    return this.#api.scale(ref, revision, instances);
  }

  setTraffic(ref: ServiceRef, traffic: TrafficSpec): Promise<void> {
    return this.#api.setTraffic(ref, traffic);
  }

  waitReady(ref: ServiceRef, revision: string, count: number, timeoutMs: number): Promise<ReadyResult> {
    return this.#api.waitReady(ref, revision, count, timeoutMs);
  }

  async status(ref: ServiceRef): Promise<ServiceStatus | undefined> {
    const all = await this.list();
    return all.find((s) => s.service === ref.service && s.env === ref.env);
  }

  /** Every service the agent runs; an agent that died while running services is started again (and re-adopts them). */
  async list(): Promise<readonly ServiceStatus[]> {
    const status = await this.client.tryCall<{ services: ServiceStatus[] }>('GET', '/v1/status');
    if (status) return status.services;
    if (!this.options.agentCommand || !hasSavedServices(this.client.paths.stateFile)) return [];
    return this.#api.list();
  }

  metrics(ref: ServiceRef): Promise<RouterMetricsSnapshot> {
    return this.#api.metrics(ref);
  }

  health(ref: ServiceRef): Promise<HealthReport> {
    return this.#api.health(ref);
  }

  remove(ref: ServiceRef): Promise<void> {
    return this.#api.remove(ref);
  }

  /** Makes this host's agent (started when none runs) serve `snapshot` over OFREP. */
  async publishFlags(snapshot: FlagSnapshot, serving: FlagServing): Promise<readonly PublishedFlags[]> {
    const served = await this.#api.publishFlags(snapshot, serving);
    return [{ host: 'local', version: served.version, url: served.url }];
  }
}

/** The shape of every revision id; anything else could name a path outside the revisions folder. */
const REVISION_ID = /^r-[0-9a-f]{12}$/;

/** A service name that stays one folder level under the revisions folder. */
function isPathSafe(service: string): boolean {
  return service !== '' && service !== '.' && service !== '..' && !/[/\\\0]/.test(service);
}

/** True when the agent's state file lists services (so an agent should be running them). */
function hasSavedServices(stateFile: string): boolean {
  try {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { units?: unknown[] };
    return Array.isArray(state.units) && state.units.length > 0;
  } catch {
    return false;
  }
}
