/**
 * The messages the supervisor exchanges over IPC with the agent (the controller) and with the
 * router process: requests carry an id and are answered by a reply with the same id.
 */
import type { RouteTable } from '../../../router/route-table.js';

/** What the agent asks the supervisor; every one is answered by a `Reply`. */
export type ControllerRequest =
  /** Listen on `port` for `unit` (0: any port, or the one it already has); answered with the port. */
  | { readonly t: 'listen'; readonly id: number; readonly unit: string; readonly port: number }
  /** Close the unit's port and its router. */
  | { readonly t: 'close'; readonly id: number; readonly unit: string }
  /** Close the ports of every unit not listed (left over from an agent that died mid-change). */
  | { readonly t: 'retain'; readonly id: number; readonly units: readonly string[] }
  /** The unit's cumulative router metrics. */
  | { readonly t: 'metrics'; readonly id: number; readonly unit: string }
  /** True once nothing is in flight to the instance, false after `timeoutMs`. */
  | {
      readonly t: 'wait-idle';
      readonly id: number;
      readonly unit: string;
      readonly instance: string;
      readonly timeoutMs: number;
    }
  /** Close every port, stop the router, and exit once the agent has. */
  | { readonly t: 'shutdown'; readonly id: number };

/** The agent's route table for a unit (no answer: the supervisor keeps the latest for a new router). */
export interface TableNote {
  readonly t: 'table';
  readonly unit: string;
  readonly table: RouteTable;
}

/** Anything the agent sends the supervisor. */
export type ControllerMessage = ControllerRequest | TableNote;

/** The answer to a request. */
export type Reply =
  | { readonly t: 'reply'; readonly id: number; readonly ok: true; readonly value?: unknown }
  | {
      readonly t: 'reply';
      readonly id: number;
      readonly ok: false;
      readonly code: string;
      readonly message: string;
    };

/** What the supervisor asks of the router process; requests are answered by a `Reply`. */
export type RouterRequest =
  | Extract<ControllerRequest, { t: 'metrics' | 'wait-idle' | 'close' }>
  /** Close every router and exit. */
  | { readonly t: 'exit'; readonly id: number };

/** A connection handed to the router process (the socket travels with it). */
export interface ConnectionNote {
  readonly t: 'conn';
  readonly id: number;
  readonly unit: string;
}

/** Anything the supervisor sends the router process. */
export type RouterMessage = RouterRequest | TableNote | ConnectionNote;

/** What the router process sends the supervisor: ready, connection receipts and replies. */
export type RouterReport =
  | { readonly t: 'ready' }
  /** The router holds the connection now; the supervisor may close its own copy. */
  | { readonly t: 'got'; readonly id: number }
  | Reply;
