/**
 * The requests of the agent's control API behind the Platform contract's service methods, over an
 * AgentClient: what LocalPlatform sends to this host's agent and HostPlatform to a remote one.
 */

import type {
  EndpointSpec,
  HealthReport,
  ReadyResult,
  ServiceRef,
  ServiceStatus,
  TrafficSpec,
} from '../platform.js';
import type { RouterMetricsSnapshot } from '../traffic-metrics.js';
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
}

function path(ref: ServiceRef): string {
  return `/v1/services/${encodeURIComponent(ref.service)}/${encodeURIComponent(ref.env)}`;
}
