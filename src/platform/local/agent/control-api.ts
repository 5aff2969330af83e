/**
 * The agent's control API: JSON over HTTP on its unix socket. Paths:
 * GET /v1/status, GET|DELETE /v1/services/:service/:env, POST .../ensure|scale|traffic|wait-ready,
 * GET .../metrics|health, GET /metrics (Prometheus), POST /v1/shutdown, GET|PUT /v1/flags (the
 * flag set served over OFREP), PUT /v1/secrets/:service/:revision (secret values its instances
 * start with, held in memory); for a host's agent (host-revisions.ts), GET /v1/revisions/:service/:id
 * and POST .../pin|place.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTP_STATUS } from '../../../errors/http-status.js';
import { SlipwayError } from '../../../errors/slipway-error.js';
import type { FlagSnapshot } from '../../../flags/flag-engine.js';
import { PlatformError } from '../../errors.js';
import type { FlagServing } from '../../flag-publisher.js';
import { readJsonBody } from '../../json-body.js';
import type { HealthReport, ReadyResult, ServiceRef, ServiceStatus, TrafficSpec } from '../../platform.js';
import type { RouterMetricsSnapshot } from '../../traffic-metrics.js';
import { KEPT_REVISIONS } from '../revisions.js';
import { type FlagsPublished, type FlagsStatus, readFlagsRequest } from './agent-flags.js';
import { findHostRevision, pinHostRevision, placeHostRevision } from './host-revisions.js';

/** What `status` reports about the agent itself. */
export interface AgentInfo {
  readonly pid: number;
  /** The supervisor that holds the ports and restarts the agent and the router. */
  readonly supervisorPid?: number;
  readonly startedAt: string;
  readonly metricsUrl?: string;
  readonly stateDir: string;
  /** The Slipway version the agent runs (what `slipway --version` prints). */
  readonly version: string;
}

/** One service in one environment, as the control API drives it. */
export interface ControlledUnit {
  status(): ServiceStatus;
  scale(revision: string, instances: number): void;
  setTraffic(spec: TrafficSpec): void;
  waitReady(revision: string, count: number, timeoutMs: number): Promise<ReadyResult>;
  metrics(): Promise<RouterMetricsSnapshot>;
}

/** What the control API needs from the agent; the agent daemon implements it. */
export interface AgentControl {
  info(): AgentInfo;
  /** Every unit's status. */
  services(): ServiceStatus[];
  /** Prometheus text of every unit's router metrics. */
  prometheus(): Promise<string>;
  /** The unit of a service in an environment; `create` opens one (on that port) when there is none. */
  unit(ref: ServiceRef, create?: { port?: number }): Promise<ControlledUnit>;
  health(ref: ServiceRef): Promise<HealthReport>;
  remove(ref: ServiceRef): Promise<void>;
  /** Serves `snapshot` over OFREP on `serving` unless a newer version is served. */
  publishFlags(snapshot: FlagSnapshot, serving: FlagServing): Promise<FlagsPublished>;
  /** The flag set served (version 0 when none). */
  flags(): FlagsStatus;
  /** Keeps, in memory only, the secret values the revision's instances start with. */
  holdSecrets(service: string, revision: string, values: Readonly<Record<string, string>>): void;
  stop(options: { keepInstances: boolean }): Promise<void>;
}

/** Largest request body the API reads. */
const MAX_BODY = 1024 * 1024;

/**
 * Answers one control request. A Slipway error becomes `{ error: { code, message } }` with the
 * status of its kind; anything else (or an internal error) is code INTERNAL with the stack.
 */
export async function handleControl(
  agent: AgentControl,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const body = await readJsonBody(
      req,
      MAX_BODY,
      (message, cause) => new PlatformError('BAD_REQUEST', message, { cause }),
    );
    const result = await route(agent, req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/', body);
    if (typeof result === 'string') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(result);
    } else {
      send(res, 200, result ?? { ok: true });
    }
  } catch (error) {
    if (error instanceof SlipwayError && error.kind !== 'internal') {
      send(res, HTTP_STATUS[error.kind], { error: { code: error.code, message: error.message } });
    } else {
      send(res, 500, { error: { code: 'INTERNAL', message: (error as Error).stack ?? String(error) } });
    }
  }
}

async function route(agent: AgentControl, method: string, path: string, body: unknown): Promise<unknown> {
  if (method === 'GET' && path === '/v1/status') {
    return { agent: agent.info(), services: agent.services() };
  }
  if (method === 'GET' && path === '/metrics') return agent.prometheus();
  if (method === 'POST' && path === '/v1/shutdown') {
    const keepInstances = field(body, 'keepInstances', 'boolean', false);
    // Answer first: the client waits for the socket to disappear.
    setImmediate(() => void agent.stop({ keepInstances }));
    return { ok: true };
  }
  if (path === '/v1/flags') {
    if (method === 'GET') return agent.flags();
    if (method === 'PUT') {
      const { snapshot, serving } = readFlagsRequest(body);
      return agent.publishFlags(snapshot, serving);
    }
    throw new PlatformError('BAD_REQUEST', `no such endpoint: ${method} ${path}`);
  }
  const secrets = /^\/v1\/secrets\/([^/]+)\/([^/]+)$/.exec(path);
  if (secrets && method === 'PUT') {
    agent.holdSecrets(
      decodeURIComponent(secrets[1] ?? ''),
      decodeURIComponent(secrets[2] ?? ''),
      secretValuesOf(body),
    );
    return { ok: true };
  }
  const revision = /^\/v1\/revisions\/([^/]+)\/([^/]+)(?:\/([a-z-]+))?$/.exec(path);
  if (revision) return routeRevision(agent.info().stateDir, method, revision, body);
  const match = /^\/v1\/services\/([^/]+)\/([^/]+)(?:\/([a-z-]+))?$/.exec(path);
  if (!match) throw new PlatformError('BAD_REQUEST', `no such endpoint: ${method} ${path}`);
  const ref: ServiceRef = {
    service: decodeURIComponent(match[1] ?? ''),
    env: decodeURIComponent(match[2] ?? ''),
  };
  const action = match[3];
  if (!action && method === 'GET') return (await agent.unit(ref)).status();
  if (!action && method === 'DELETE') return agent.remove(ref);
  if (method === 'POST' && action === 'ensure') {
    const port = field(body, 'port', 'number', undefined);
    return (await agent.unit(ref, port === undefined ? {} : { port })).status();
  }
  if (method === 'POST' && action === 'scale') {
    const unit = await agent.unit(ref);
    unit.scale(field(body, 'revision', 'string', ''), field(body, 'instances', 'number', -1));
    return unit.status();
  }
  if (method === 'POST' && action === 'traffic') {
    const unit = await agent.unit(ref);
    unit.setTraffic(body as TrafficSpec);
    return unit.status();
  }
  if (method === 'POST' && action === 'wait-ready') {
    const unit = await agent.unit(ref);
    const timeoutMs = Math.min(field(body, 'timeoutMs', 'number', 60_000), 600_000);
    return unit.waitReady(
      field(body, 'revision', 'string', ''),
      field(body, 'count', 'number', 1),
      timeoutMs,
    );
  }
  if (method === 'GET' && action === 'metrics') return (await agent.unit(ref)).metrics();
  if (method === 'GET' && action === 'health') return agent.health(ref);
  throw new PlatformError('BAD_REQUEST', `no such endpoint: ${method} ${path}`);
}

/** The revisions of a host's agent: find, pin and place. */
function routeRevision(stateDir: string, method: string, match: RegExpExecArray, body: unknown): unknown {
  const service = decodeURIComponent(match[1] ?? '');
  const id = decodeURIComponent(match[2] ?? '');
  const action = match[3];
  if (!action && method === 'GET') return { revision: findHostRevision(stateDir, service, id) ?? null };
  if (method === 'POST' && action === 'pin')
    return { pinned: pinHostRevision(stateDir, service, id, field(body, 'reason', 'string', '')) };
  if (method === 'POST' && action === 'place') {
    const inUse = (body as { inUse?: unknown } | undefined)?.inUse ?? [];
    if (!Array.isArray(inUse) || !inUse.every((r) => typeof r === 'string'))
      throw new PlatformError('BAD_REQUEST', 'inUse must be a list of revision ids');
    return placeHostRevision(stateDir, {
      service,
      id,
      digest: field(body, 'digest', 'string', ''),
      inUse,
      keep: field(body, 'keep', 'number', KEPT_REVISIONS),
      manifest: field(body, 'manifest', 'string', undefined),
    });
  }
  throw new PlatformError('BAD_REQUEST', `no such endpoint: ${method} /v1/revisions/${match[1]}/${match[2]}`);
}

/** The `values` of a secrets request: names to strings (the error never echoes a value). */
function secretValuesOf(body: unknown): Record<string, string> {
  const values = body && typeof body === 'object' ? (body as { values?: unknown }).values : undefined;
  if (!values || typeof values !== 'object' || Array.isArray(values))
    throw new PlatformError('BAD_REQUEST', 'values must map secret names to strings');
  for (const [name, value] of Object.entries(values))
    if (typeof value !== 'string') throw new PlatformError('BAD_REQUEST', `secret ${name} must be a string`);
  return values as Record<string, string>;
}

function field<T extends 'string' | 'number' | 'boolean', D>(
  body: unknown,
  name: string,
  type: T,
  fallback: D,
): (T extends 'string' ? string : T extends 'number' ? number : boolean) | D {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (value === undefined) return fallback;
  if (typeof value !== type) throw new PlatformError('BAD_REQUEST', `${name} must be a ${type}`);
  return value as T extends 'string' ? string : T extends 'number' ? number : boolean;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
