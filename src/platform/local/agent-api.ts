/**
 * The requests of the agent's control API behind the Platform contract's service methods and the
 * flag publisher's, over an AgentClient: what LocalPlatform sends to this host's agent and
 * HostPlatform to a remote one.
 */

import type { FlagSnapshot } from '../../flags/flag-engine.js';
import type { FlagServing } from '../flag-publisher.js';
import type {
  EndpointSpec,
  HealthReport,
  ReadyResult,
  ServiceRef,
  ServiceStatus,
  TrafficSpec,
} from '../platform.js';
import type { RouterMetricsSnapshot } from '../traffic-metrics.js';
import type { FlagsPublished, FlagsStatus } from './agent/agent-flags.js';
import type { AgentClient } from './agent-client.js';

/** An agent's services, driven through its control API. */
export class AgentApi {
  constructor(readonly client: AgentClient) {}

  ensureService(ref: ServiceRef, endpoint: EndpointSpec): Promise<ServiceStatus> {
    return this.client.call(
      'POST',
      `${path(ref)}/ensure`,
      endpoint.port === undefined ? {} : { port: endpoint.port },
    );
  }

  async scale(ref: ServiceRef, revision: string, instances: number): Promise<void> {
    await this.client.call('POST', `${path(ref)}/scale`, { revision, instances });
  }

  async setTraffic(ref: ServiceRef, traffic: TrafficSpec): Promise<void> {
    await this.client.call('POST', `${path(ref)}/traffic`, traffic);
  }

  waitReady(ref: ServiceRef, revision: string, count: number, timeoutMs: number): Promise<ReadyResult> {
    return this.client.call('POST', `${path(ref)}/wait-ready`, { revision, count, timeoutMs });
  }

  async list(): Promise<ServiceStatus[]> {
    return (await this.client.call<{ services: ServiceStatus[] }>('GET', '/v1/status')).services;
  }

  metrics(ref: ServiceRef): Promise<RouterMetricsSnapshot> {
    return this.client.call('GET', `${path(ref)}/metrics`);
  }

  health(ref: ServiceRef): Promise<HealthReport> {
    return this.client.call('GET', `${path(ref)}/health`);
  }

  async remove(ref: ServiceRef): Promise<void> {
    await this.client.call('DELETE', path(ref));
  }

  /** Makes the agent serve `snapshot` on `serving`; answers the version it serves (a newer one stays). */
  publishFlags(snapshot: FlagSnapshot, serving: FlagServing): Promise<FlagsPublished> {
    return this.client.call('PUT', '/v1/flags', { snapshot, serving });
  }

  /** Hands the agent the secret values a revision's instances start with (kept in its memory only). */
  async holdSecrets(
    service: string,
    revision: string,
    values: Readonly<Record<string, string>>,
  ): Promise<void> {
    const at = `/v1/secrets/${encodeURIComponent(service)}/${encodeURIComponent(revision)}`;
    await this.client.call('PUT', at, { values });
  }

  /** The flag set the agent serves: version (0 when none), OFREP URL and digest. */
  flags(): Promise<FlagsStatus> {
    return this.client.call('GET', '/v1/flags');
  }
}

function path(ref: ServiceRef): string {
  return `/v1/services/${encodeURIComponent(ref.service)}/${encodeURIComponent(ref.env)}`;
}
