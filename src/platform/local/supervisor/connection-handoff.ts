/**
 * Hands accepted connections to the router process. A connection stays open in the supervisor
 * until the router confirms it holds it, and waits in a queue while no router runs, so a router
 * that dies or restarts never makes a connection be refused or lost before its first byte is read.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { ConnectionNote } from './supervisor-messages.js';

/** Queued connections past this many are closed: a router that never comes back must not exhaust file descriptors. */
const MAX_QUEUED = 10_000;

/** The router process as the supervisor sees it. */
type RouterProcess = Pick<ChildProcess, 'send' | 'connected'>;

interface Waiting {
  readonly unit: string;
  readonly socket: Socket;
}

/** The supervisor's side of connection passing. */
export class ConnectionHandoff {
  private router: RouterProcess | undefined;
  private readonly queue: Waiting[] = [];
  /** Sent but not yet confirmed, by note id. */
  private readonly pending = new Map<number, Waiting>();
  private nextId = 0;

  constructor(private readonly log: (line: string) => void) {}

  /** A router is ready: it gets the connections that waited, oldest first. */
  attach(router: RouterProcess): void {
    this.router = router;
    for (const waiting of this.queue.splice(0)) this.send(waiting);
  }

  /** The router died: connections it had not confirmed go back to the front of the queue. */
  detach(): void {
    this.router = undefined;
    const unconfirmed = [...this.pending.values()];
    this.pending.clear();
    this.queue.unshift(...unconfirmed);
  }

  /** A connection accepted on a unit's port. */
  give(unit: string, socket: Socket): void {
    socket.on('error', () => {});
    if (this.router?.connected) this.send({ unit, socket });
    else if (this.queue.length < MAX_QUEUED) this.queue.push({ unit, socket });
    else {
      this.log(`no router for ${this.queue.length} connections: closing a new one`);
      socket.destroy();
    }
  }

  /** The router holds the connection: close the supervisor's own copy (the connection stays open). */
  received(id: number): void {
    this.pending.get(id)?.socket.destroy();
    this.pending.delete(id);
  }

  /** Closes the waiting connections of a unit whose port closed. */
  dropUnit(unit: string): void {
    const keep = this.queue.filter((waiting) => waiting.unit !== unit);
    for (const waiting of this.queue) if (waiting.unit === unit) waiting.socket.destroy();
    this.queue.splice(0, this.queue.length, ...keep);
  }

  /** Closes every connection not yet confirmed. */
  closeAll(): void {
    for (const waiting of [...this.queue.splice(0), ...this.pending.values()]) waiting.socket.destroy();
    this.pending.clear();
  }

  /** Connections accepted and not yet held by a router. */
  get waiting(): number {
    return this.queue.length + this.pending.size;
  }

  private send(waiting: Waiting): void {
    const router = this.router;
    if (!router?.connected || waiting.socket.destroyed) {
      if (!waiting.socket.destroyed) this.queue.push(waiting);
      return;
    }
    this.nextId += 1;
    const note: ConnectionNote = { t: 'conn', id: this.nextId, unit: waiting.unit };
    this.pending.set(note.id, waiting);
    // keepOpen: the supervisor's copy closes only on the router's receipt (see received()).
    router.send(note, waiting.socket, { keepOpen: true }, (error) => {
      if (error) this.log(`cannot hand a connection to the router: ${error.message}`);
    });
  }
}
