/**
 * The edge's control API: JSON over HTTP on a unix socket, as the agent's is. `GET /v1/status`
 * answers the regions with their share, weight, state, phase and health; `POST /v1/failover` with
 * `{ from: REGION }` or `{ restore: REGION }` answers the failover loop's CommandResult (with the
 * measured switch of an accepted `from`). An error is `{ error: { code, message } }` with the status
 * of its kind.
 */
import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { HTTP_STATUS } from '../../errors/http-status.js';
import { SlipwayError } from '../../errors/slipway-error.js';
import { readJsonBody } from '../../platform/json-body.js';
import type { EntryPoint, RegionState } from '../../platform/traffic-director.js';
import { EdgeError } from './edge-errors.js';
import type { CommandResult, FailoverCommand, RegionHealth, RegionPhase } from './failover-types.js';

/** One region as the edge serves it now. */
export interface EdgeRegionStatus {
  readonly name: string;
  /** Configured share, percent. */
  readonly share: number;
  /** The weight the director applies now, percent. */
  readonly weight: number;
  readonly state: RegionState;
  readonly phase: RegionPhase['status'];
  /** Health as of the failover loop's last round. */
  readonly health: RegionHealth;
  readonly upstreams: readonly string[];
}

/** What `GET /v1/status` answers. */
export interface EdgeStatus {
  readonly service: string;
  readonly env: string;
  readonly director: string;
  readonly strategy: 'automatic' | 'manual';
  readonly entryPoint: EntryPoint;
  readonly regions: readonly EdgeRegionStatus[];
}

/** A switch as it was applied: when, how long it took, and the weights around it. */
export interface AppliedSwitch {
  readonly appliedAt: number;
  readonly switchMs: number;
  readonly weightsBefore: Readonly<Record<string, number>>;
  readonly weightsAfter: Readonly<Record<string, number>>;
}

/** What `POST /v1/failover` answers: the command's result, and for an accepted `from` its switch once applied. */
export type FailoverAnswer = CommandResult & { readonly switch?: AppliedSwitch };

/** What the control API drives; the edge service implements it. */
export interface EdgeControl {
  status(): Promise<EdgeStatus>;
  command(kind: FailoverCommand['kind'], region: string, actor: string | undefined): Promise<FailoverAnswer>;
}

/** A listening control API. */
export interface EdgeControlServer {
  /** Stops answering and removes the socket; safe to call twice. */
  close(): Promise<void>;
}

/** Largest request body read. */
const MAX_BODY = 64 * 1024;

/** True when something answers on `socketPath`. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Listens on `socketPath` (a stale socket is replaced; a live one is `edge_running`). */
export async function serveEdgeControl(socketPath: string, control: EdgeControl): Promise<EdgeControlServer> {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
  if (existsSync(socketPath)) {
    if (await answers(socketPath)) {
      throw new EdgeError('edge_running', `an edge already answers on ${socketPath}`);
    }
    unlinkSync(socketPath);
  }
  const server: Server = createServer((req, res) => {
    void handle(control, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closed = false;
  return {
    close: async () => {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      try {
        unlinkSync(socketPath);
      } catch {
        // Already gone (server.close removes it on some platforms).
      }
    },
  };
}

async function handle(control: EdgeControl, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const body = await readJsonBody(
      req,
      MAX_BODY,
      (message, cause) => new EdgeError('bad_request', message, { cause }),
    );
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/v1/status') return send(res, 200, await control.status());
    if (req.method === 'POST' && path === '/v1/failover') {
      const { kind, region, actor } = commandOf(body);
      return send(res, 200, await control.command(kind, region, actor));
    }
    throw new EdgeError('bad_request', `no such endpoint: ${req.method} ${path}`);
  } catch (error) {
    if (error instanceof SlipwayError && error.kind !== 'internal') {
      send(res, HTTP_STATUS[error.kind], { error: { code: error.code, message: error.message } });
    } else {
      send(res, 500, { error: { code: 'INTERNAL', message: (error as Error).stack ?? String(error) } });
    }
  }
}

/** The command of a `POST /v1/failover` body: exactly one of `from` and `restore`, a region name. */
export function commandOf(body: unknown): {
  kind: FailoverCommand['kind'];
  region: string;
  actor: string | undefined;
} {
  const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const given = (['from', 'restore'] as const).filter((key) => fields[key] !== undefined);
  const key = given[0];
  if (given.length !== 1 || key === undefined) {
    throw new EdgeError('bad_request', 'give exactly one of `from` and `restore`, a region name');
  }
  const region = fields[key];
  if (typeof region !== 'string' || region === '') {
    throw new EdgeError('bad_request', `\`${key}\` must be a region name`);
  }
  const actor = typeof fields.actor === 'string' && fields.actor !== '' ? fields.actor : undefined;
  return { kind: key === 'from' ? 'fail_over' : 'restore', region, actor };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
