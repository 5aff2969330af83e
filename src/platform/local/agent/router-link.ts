/**
 * The agent's way to its units' ports and routers: requests over IPC to the supervisor, which
 * owns the listening sockets and relays to the router process. The router keeps serving with
 * its last route table while the agent is down.
 */
import type { RouteTable } from '../../../router/route-table.js';
import { PlatformError, type PlatformErrorCode } from '../../errors.js';
import type { RouterMetricsSnapshot } from '../../traffic-metrics.js';
import type { IpcChannel } from '../supervisor/ipc-channel.js';
import type { ControllerMessage, ControllerRequest, Reply } from '../supervisor/supervisor-messages.js';

/** A request without its id (the link numbers them). */
type Request = ControllerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Ports, route tables, metrics and drains of every unit, through the supervisor. */
export class RouterLink {
  private nextId = 0;
  private readonly waiting = new Map<number, (reply: Reply) => void>();

  constructor(private readonly channel: IpcChannel) {
    channel.on('message', (reply: Reply) => {
      if (reply?.t !== 'reply') return;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
    channel.once('disconnect', () => {
      for (const [id, resolve] of this.waiting) {
        resolve({ t: 'reply', id, ok: false, code: 'AGENT_UNAVAILABLE', message: 'the supervisor is gone' });
      }
      this.waiting.clear();
    });
  }

  /** Listens on `port` for the unit (0: any, or the port it already has); resolves the bound port. */
  async listen(unit: string, port: number): Promise<number> {
    return (await this.call({ t: 'listen', unit, port })) as number;
  }

  /** Publishes a unit's route table to its router (kept by the supervisor for a restarted router). */
  setTable(unit: string, table: RouteTable): void {
    this.note({ t: 'table', unit, table });
  }

  /** Cumulative per-revision metrics of a unit's router. */
  async metrics(unit: string): Promise<RouterMetricsSnapshot> {
    return (await this.call({ t: 'metrics', unit })) as RouterMetricsSnapshot;
  }

  /** Resolves true once nothing is in flight to the instance, false after `timeoutMs`. */
  async waitIdle(unit: string, instance: string, timeoutMs: number): Promise<boolean> {
    return (await this.call({ t: 'wait-idle', unit, instance, timeoutMs })) as boolean;
  }

  /** Closes a unit's port and router. */
  async close(unit: string): Promise<void> {
    await this.call({ t: 'close', unit });
  }

  /** Closes the ports of units this agent does not know (left by an agent that died mid-change). */
  async retain(units: readonly string[]): Promise<void> {
    await this.call({ t: 'retain', units });
  }

  /** Closes every port and stops the router: the data plane goes with the agent. */
  async shutdown(): Promise<void> {
    await this.call({ t: 'shutdown' });
  }

  private note(message: ControllerMessage): void {
    if (this.channel.connected) this.channel.send(message);
  }

  private call(request: Request): Promise<unknown> {
    if (!this.channel.connected) {
      return Promise.reject(new PlatformError('AGENT_UNAVAILABLE', 'the supervisor is gone'));
    }
    this.nextId += 1;
    const id = this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) => {
        if (reply.ok) resolve(reply.value);
        else if (reply.code === 'INTERNAL' || reply.code === 'TIMEOUT') reject(new Error(reply.message));
        else reject(new PlatformError(reply.code as PlatformErrorCode, reply.message));
      });
      this.channel.send({ ...request, id } as ControllerRequest);
    });
  }
}
