/**
 * The supervisor: one small process per agent state directory that owns every unit's listening
 * socket, hands accepted connections to the router process, and restarts the agent or the router
 * whenever one dies. It keeps each unit's latest route table, so a new router serves at once.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { processStartTime } from '../../../process/process-identity.js';
import type { RouteTable } from '../../../router/route-table.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../../state-files/private-modes.js';
import { PlatformError } from '../../errors.js';
import { type AgentPaths, agentPaths } from '../agent/agent-paths.js';
import type { ListenFds } from '../systemd/listen-fds.js';
import { ChildSlot } from './child-slot.js';
import { ConnectionHandoff } from './connection-handoff.js';
import type {
  ControllerMessage,
  ControllerRequest,
  Reply,
  RouterReport,
  RouterRequest,
} from './supervisor-messages.js';

/** How long a new supervisor waits for a stopping one to exit. */
const LOCK_WAIT_MS = 5000;
/** How long the router and the agent get to exit when asked. */
const STOP_GRACE_MS = 5000;

/** What a supervisor runs. */
export interface SupervisorOptions {
  readonly stateDir: string;
  /** Starts the agent (controller) or the router process with an IPC channel. */
  readonly spawn: (role: 'controller' | 'router') => ChildProcess;
  readonly log: (line: string) => void;
  /** Sockets systemd passed (socket activation): a unit whose port is among them serves on it instead of binding. */
  readonly listenFds?: ListenFds;
  /** The address the units' public ports bind (default 127.0.0.1; 0.0.0.0 on a host reached over SSH). */
  readonly listen?: string;
}

interface Listener {
  readonly server: Server;
  port: number;
  /** The unit it serves; none while a socket systemd passed waits for its unit (it is never closed). */
  unit: string | undefined;
  /** Passed by systemd: closing it would lose the descriptor, so it is only parked. */
  passed: boolean;
}

/** A request relayed to the router, answered once the router (or its replacement) does. */
interface RouterCall {
  readonly request: RouterRequest;
  readonly resolve: (reply: Reply) => void;
  sent: boolean;
}

/** Owns the ports and keeps the agent and the router running. */
export class Supervisor {
  readonly paths: AgentPaths;
  private readonly listeners = new Map<string, Listener>();
  /** Sockets systemd passed whose unit closed, by port. */
  private readonly parked = new Map<number, Listener>();
  private readonly tables = new Map<string, RouteTable>();
  private readonly handoff: ConnectionHandoff;
  private readonly routerCalls = new Map<number, RouterCall>();
  private readonly controller: ChildSlot;
  private readonly routerSlot: ChildSlot;
  private router: ChildProcess | undefined;
  private nextCall = 0;
  private stopping = false;
  private finished = false;
  /** Resolves when the supervisor has stopped everything. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(private readonly options: SupervisorOptions) {
    this.paths = agentPaths(options.stateDir);
    this.handoff = new ConnectionHandoff(options.log);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.routerSlot = new ChildSlot({
      name: 'router',
      spawn: () => options.spawn('router'),
      started: (child) => this.routerStarted(child),
      exited: () => this.routerExited(),
      log: options.log,
    });
    this.controller = new ChildSlot({
      name: 'agent',
      spawn: () => options.spawn('controller'),
      started: (child) =>
        child.on('message', (message: ControllerMessage) => this.fromController(child, message)),
      exited: () => {
        if (this.stopping) void this.finish();
      },
      log: options.log,
    });
  }

  /** Takes the lock and starts the router, then the agent. */
  async start(): Promise<void> {
    mkdirSync(this.paths.home, { recursive: true, mode: PRIVATE_DIR_MODE });
    await this.lock();
    this.routerSlot.start();
    this.controller.start();
    this.options.log(`supervisor ${process.pid} started for ${this.options.stateDir}`);
  }

  /** Stops on a signal: the agent stops leaving instances running, then everything else. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    const agent = this.controller.child;
    if (agent) void this.controller.stop('SIGTERM', 30_000);
    else void this.finish();
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.controller.stop(undefined, STOP_GRACE_MS);
    await this.release();
    rmSync(this.paths.supervisorPidFile, { force: true });
    this.options.log(`supervisor ${process.pid} stopped`);
    this.resolveDone();
  }

  /** Closes every port and stops the router. */
  private async release(): Promise<void> {
    for (const unit of [...this.listeners.keys()]) this.closeListener(unit);
    for (const listener of this.parked.values()) listener.server.close();
    this.parked.clear();
    this.handoff.closeAll();
    // Marked stopped before it is asked to exit, so that its exit is not taken for a crash.
    const exited = this.routerSlot.stop(undefined, STOP_GRACE_MS);
    if (this.router) void this.callRouter({ t: 'exit', id: 0 }, STOP_GRACE_MS);
    await exited;
  }

  private routerStarted(child: ChildProcess): void {
    child.on('message', (report: RouterReport) => {
      if (report.t === 'ready') {
        this.router = child;
        for (const [unit, table] of this.tables) child.send({ t: 'table', unit, table });
        for (const call of this.routerCalls.values()) this.sendCall(call);
        this.handoff.attach(child);
      } else if (report.t === 'got') {
        this.handoff.received(report.id);
      } else {
        const call = this.routerCalls.get(report.id);
        this.routerCalls.delete(report.id);
        call?.resolve(report);
      }
    });
  }

  private routerExited(): void {
    this.router = undefined;
    this.handoff.detach();
    for (const [id, call] of this.routerCalls) {
      // Metrics are asked again of the next router; nothing is in flight on a new one, and a closed unit stays closed.
      if (call.request.t === 'metrics') call.sent = false;
      else {
        this.routerCalls.delete(id);
        call.resolve({
          t: 'reply',
          id,
          ok: true,
          ...(call.request.t === 'wait-idle' ? { value: true } : {}),
        });
      }
    }
  }

  private fromController(child: ChildProcess, message: ControllerMessage): void {
    if (message.t === 'table') {
      this.tables.set(message.unit, message.table);
      this.router?.send(message);
      return;
    }
    void this.answer(message).then((reply) => {
      if (child.connected) child.send(reply);
    });
  }

  private async answer(request: ControllerRequest): Promise<Reply> {
    const { id } = request;
    try {
      switch (request.t) {
        case 'listen':
          return { t: 'reply', id, ok: true, value: await this.listen(request.unit, request.port) };
        case 'close':
          this.closeListener(request.unit);
          return this.relay(request);
        case 'retain':
          for (const unit of [...this.listeners.keys()]) {
            if (!request.units.includes(unit)) {
              this.closeListener(unit);
              await this.callRouter({ t: 'close', id: 0, unit });
            }
          }
          return { t: 'reply', id, ok: true };
        case 'metrics':
        case 'wait-idle':
          return this.relay(request);
        case 'shutdown':
          this.stopping = true;
          await this.release();
          return { t: 'reply', id, ok: true };
      }
    } catch (error) {
      const code = error instanceof PlatformError ? error.code : 'INTERNAL';
      return { t: 'reply', id, ok: false, code, message: (error as Error).message };
    }
  }

  /** Forwards a request to the router and answers with the agent's id. */
  private async relay(request: RouterRequest): Promise<Reply> {
    return { ...(await this.callRouter(request)), id: request.id };
  }

  private callRouter(request: RouterRequest, timeoutMs?: number): Promise<Reply> {
    this.nextCall += 1;
    const id = this.nextCall;
    return new Promise((resolve) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.routerCalls.delete(id);
              resolve({ t: 'reply', id, ok: false, code: 'TIMEOUT', message: 'the router did not answer' });
            }, timeoutMs);
      const call: RouterCall = {
        request: { ...request, id },
        resolve: (reply) => {
          if (timer) clearTimeout(timer);
          resolve(reply);
        },
        sent: false,
      };
      this.routerCalls.set(id, call);
      this.sendCall(call);
    });
  }

  private sendCall(call: RouterCall): void {
    if (call.sent || !this.router?.connected) return;
    call.sent = true;
    this.router.send(call.request);
  }

  /** Listens for a unit; keeps its current socket when the port is 0 or unchanged. */
  private async listen(unit: string, port: number): Promise<number> {
    const current = this.listeners.get(unit);
    if (current && (port === 0 || port === current.port)) return current.port;
    if (this.stopping) throw new PlatformError('AGENT_UNAVAILABLE', 'the agent is stopping');
    const parked = this.parked.get(port);
    if (parked) {
      this.parked.delete(port);
      this.replace(unit, parked);
      return parked.port;
    }
    const listener: Listener = {
      server: createServer({ pauseOnConnect: true }, (socket) => {
        if (listener.unit) this.handoff.give(listener.unit, socket);
        else socket.destroy();
      }),
      port,
      unit,
      passed: false,
    };
    const { server } = listener;
    const passed =
      this.options.listenFds?.status === 'passed' ? this.options.listenFds.byPort.get(port) : undefined;
    const bound = await new Promise<number>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new PlatformError('PORT_IN_USE', `port ${port} is already in use`)
            : new PlatformError('PORT_IN_USE', `cannot listen on port ${port}: ${error.message}`),
        ),
      );
      const listening = (): void => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      };
      if (passed !== undefined) server.listen({ fd: passed }, listening);
      else server.listen(port, this.options.listen ?? '127.0.0.1', listening);
    });
    server.removeAllListeners('error');
    server.on('error', (error) => this.options.log(`port ${bound}: ${error.message}`));
    listener.port = bound;
    listener.passed = passed !== undefined;
    this.replace(unit, listener);
    return bound;
  }

  /** Makes `listener` the unit's port, retiring the one it had. */
  private replace(unit: string, listener: Listener): void {
    const current = this.listeners.get(unit);
    if (current) this.retire(current);
    listener.unit = unit;
    this.listeners.set(unit, listener);
  }

  private retire(listener: Listener): void {
    listener.unit = undefined;
    if (listener.passed && !this.stopping) this.parked.set(listener.port, listener);
    else listener.server.close();
  }

  private closeListener(unit: string): void {
    const listener = this.listeners.get(unit);
    if (listener) this.retire(listener);
    this.listeners.delete(unit);
    this.tables.delete(unit);
    this.handoff.dropUnit(unit);
  }

  /** One supervisor per state directory; waits for one that is stopping. */
  private async lock(): Promise<void> {
    const file = this.paths.supervisorPidFile;
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (existsSync(file)) {
      const [pid, start] = readFileSync(file, 'utf8').trim().split(' ');
      const other = Number(pid);
      const alive = other > 0 && other !== process.pid && processStartTime(other) === start;
      if (!alive) break;
      if (Date.now() > deadline) {
        throw new PlatformError(
          'AGENT_RUNNING',
          `an agent already runs for ${this.options.stateDir} (supervisor pid ${other})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    writeFileSync(file, `${process.pid} ${processStartTime(process.pid) ?? ''}\n`, {
      mode: PRIVATE_FILE_MODE,
    });
  }
}
